"""Separate create, read and update schemas for each resource."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from taut.clients import dates

Sex = Literal["female", "male", "other", "unknown"]
VisitKind = Literal["initial", "treatment", "reassessment", "follow_up"]
VisitStatus = Literal["planned", "finished", "cancelled"]
ConsentMethod = Literal["signed_in_clinic", "signed_online", "verbal"]

Name = Field(min_length=1, max_length=100)


def _birth(value: dt.date) -> dt.date:
    problem = dates.birth_date_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _visit_day(value: dt.date) -> dt.date:
    problem = dates.visit_date_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _clock_time(value: Any) -> Any:
    """A time of day as "HH:MM" or "HH:MM:SS" text only (never a number of seconds)."""
    if isinstance(value, dt.time):
        return value
    if not isinstance(value, str) or len(value) not in (5, 8) or value[2] != ":":
        raise ValueError('Give the start time as "HH:MM" (24-hour clock), for example "14:30".')
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError('Give the start time as "HH:MM" (24-hour clock), for example "14:30".') from None


StartTime = Annotated[dt.time, BeforeValidator(_clock_time)]
# The visit's length: the web form (taut.clients.forms.VisitForm) takes the same limits
Length = Field(60, ge=5, le=480, description="Length of the visit in minutes, from 5 to 480")
BookAnyway = Field(False, description="Book even when the time overlaps another visit of the practitioner")

# ISO dates only (never a number of seconds, "0" or a date-time), in the range taut.clients.dates allows
BirthDate = Annotated[dt.date, BeforeValidator(dates.parse_iso), AfterValidator(_birth)]
VisitDate = Annotated[dt.date, BeforeValidator(dates.parse_iso), AfterValidator(_visit_day)]
# When the complaint began: an ISO date, checked against the visit's day and the birth date by the model
OnsetDate = Annotated[dt.date, BeforeValidator(dates.parse_iso)]
# Body-map zone ids (sided, as the pain chart stores them: posterior_neck_r); unknown ones are named
ZoneList = Annotated[list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=60)]


def _takes_bool(annotation: Any) -> bool:
    """Whether a field's type admits true/false (bool itself, Any, or a union holding one)."""
    if annotation is bool or annotation is Any:
        return True
    return any(_takes_bool(arg) for arg in get_args(annotation) if arg is not type(None))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def no_true_or_false_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """JSON true and false are not numbers (pydantic's lax mode would read true as 1)."""
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _takes_bool(field.annotation):
                raise ValueError("Give a value of the field's type, not true or false.")
        return value

    @field_validator("*")
    @classmethod
    def no_nul_characters(cls, value: Any) -> Any:
        """PostgreSQL cannot store NUL characters: refuse them (422) instead of failing (500)."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Text cannot contain NUL (\\x00) characters; remove them.")
        return value


def _not_nullable(schema: dict[str, Any]) -> None:
    """A PATCH field is optional (left out, it keeps its value) but never null: say so."""
    properties = schema.get("properties")
    assert isinstance(properties, dict)
    for prop in properties.values():
        assert isinstance(prop, dict)
        options = prop.pop("anyOf", None)
        if isinstance(options, list):
            kept = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            if len(kept) == 1:
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class Patch(Strict):
    """An update: send only the fields to change. null is not a value; leave the field out to keep it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=_not_nullable)

    @field_validator("*", mode="before")
    @classmethod
    def not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("This field cannot be null; leave it out to keep its value.")
        return value


class ClientIn(Strict):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: BirthDate
    sex: Sex = "unknown"
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    address: str = Field("", max_length=300)
    occupation: str = Field("", max_length=120)
    emergency_contact_name: str = Field("", max_length=120)
    emergency_contact_phone: str = Field("", max_length=40)
    physician: str = Field("", max_length=200)
    health_history: str = Field("", max_length=20000)
    medications: str = Field("", max_length=5000)


class ClientUpdateIn(Patch):
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: BirthDate | None = None
    sex: Sex | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=300)
    occupation: str | None = Field(None, max_length=120)
    emergency_contact_name: str | None = Field(None, max_length=120)
    emergency_contact_phone: str | None = Field(None, max_length=40)
    physician: str | None = Field(None, max_length=200)
    health_history: str | None = Field(None, max_length=20000)
    medications: str | None = Field(None, max_length=5000)


class ClientOut(BaseModel):
    """What every role may see: demographics and contact."""

    id: int
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    email: str
    phone: str
    address: str
    occupation: str
    emergency_contact_name: str
    emergency_contact_phone: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ClientClinicalOut(ClientOut):
    """Demographics plus the clinical fields, for clinical roles only."""

    physician: str
    health_history: str
    medications: str


class ClientPageOut(BaseModel):
    count: int
    page: int
    pages: int
    items: list[ClientClinicalOut | ClientOut]


class VisitIn(Strict):
    date: VisitDate
    start_time: StartTime | None = None
    practitioner_id: int = Field(ge=1, le=2_147_483_647)
    kind: VisitKind = "treatment"
    status: VisitStatus = "planned"
    duration_minutes: int = Length
    book_anyway: bool = BookAnyway
    chief_complaint: str = Field("", max_length=300)
    notes: str = Field("", max_length=20000)
    onset_date: OnsetDate | None = None
    skin_areas: ZoneList = Field(default_factory=list, description="Zones with a skin condition (no work there)")
    surgery_areas: ZoneList = Field(default_factory=list, description="Zones with recent surgery (no work there)")


class VisitUpdateIn(Patch):
    date: VisitDate | None = None
    start_time: StartTime | None = None
    practitioner_id: int | None = Field(None, ge=1, le=2_147_483_647)
    kind: VisitKind | None = None
    status: VisitStatus | None = None
    duration_minutes: int | None = Field(None, ge=5, le=480)
    book_anyway: bool | None = None
    chief_complaint: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=20000)
    onset_date: OnsetDate | None = None
    skin_areas: ZoneList | None = None
    surgery_areas: ZoneList | None = None


class VisitOut(BaseModel):
    id: int
    client_id: int
    practitioner_id: int
    date: dt.date
    start_time: dt.time | None
    kind: str
    status: str
    duration_minutes: int


class VisitClinicalOut(VisitOut):
    chief_complaint: str
    notes: str
    onset_date: dt.date | None
    skin_areas: list[str]
    surgery_areas: list[str]


class ConsentIn(Strict):
    signed_by: str = Field(min_length=1, max_length=200)
    relationship: str = Field("self", min_length=1, max_length=60)
    method: ConsentMethod
    agreed: bool
    text_id: Literal["treatment-consent"] = "treatment-consent"


class ConsentOut(BaseModel):
    id: int
    client_id: int
    text_id: str
    text_version: str
    text_sha256: str
    signed_by: str
    relationship: str
    method: str
    signed_at: dt.datetime
    withdrawn_at: dt.datetime | None
    status: Literal["active", "inactive"]


class ErrorItem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str


class Errors(BaseModel):
    errors: list[ErrorItem]
