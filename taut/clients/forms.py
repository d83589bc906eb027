from __future__ import annotations

from typing import Any

from django import forms

from taut.clients import dates, today
from taut.clients.models import Client, Consent, Visit
from taut.clients.services import CLIENT_FIELDS, VISIT_FIELDS, practitioners, visible_fields


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class ClientForm(forms.ModelForm[Client]):
    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {
            "date_of_birth": DateInput(),
            "health_history": forms.Textarea(attrs={"rows": 4}),
            "medications": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, role: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = visible_fields("client", CLIENT_FIELDS, role)
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
        self.fields["date_of_birth"].validators.append(dates.validate_birth_date)


class ZonesField(forms.CharField):
    """Body-map zones typed as ids or plain words, comma separated ("left posterior neck, lumbar_paraspinal_r"),
    stored as the list of sided zone ids; a word the body map does not know is refused by name."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(z) for z in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        from taut.core.bodymap.lookup import resolve_zones
        from taut.core.errors import TautError
        from taut.core.knowledge.loader import load_base

        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        base = load_base()
        out: list[str] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            if part in base.zones:
                out.append(part)
                continue
            try:
                out += list(resolve_zones(base, part))
            except TautError as exc:
                raise forms.ValidationError(f"{exc}", code="unknown_zone") from None
        return list(dict.fromkeys(out))


AREAS_HELP = (
    "Body-map zones, comma separated, in plain words (left back of the neck, right knee). "
    "The plan gives them no direct work."
)


class VisitForm(forms.ModelForm[Visit]):
    onset_date = forms.DateField(
        required=False,
        label="Onset date",
        widget=DateInput(),
        help_text="When the complaint began. The plan uses it for the phase of care (acute, subacute, chronic).",
    )
    skin_areas = ZonesField(required=False, max_length=2000, label="Areas with a skin condition", help_text=AREAS_HELP)
    surgery_areas = ZonesField(
        required=False, max_length=2000, label="Areas operated on in the last three months", help_text=AREAS_HELP
    )
    practitioner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, empty_label=None)
    # the API's limits (taut.api.schemas.VisitIn); SQLite alone would accept any integer
    start_time = forms.TimeField(
        required=False,
        label="Start time",
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=TimeInput(format="%H:%M"),
        help_text="Hours and minutes, for example 14:30. Leave empty for a visit without a booked time.",
        error_messages={"invalid": "Enter a time of day as hours and minutes, for example 09:30 or 14:15."},
    )
    duration_minutes = forms.IntegerField(
        min_value=5,
        max_value=480,
        initial=60,
        label="Length (minutes)",
        error_messages={
            "min_value": "A visit lasts at least 5 minutes.",
            "max_value": "A visit lasts at most 480 minutes (8 hours).",
            "invalid": "Enter the length as a whole number of minutes, from 5 to 480.",
        },
    )
    book_anyway = forms.BooleanField(
        required=False, label="Book anyway, even though it overlaps another visit of this practitioner"
    )

    field_order = ("practitioner", "date", "start_time", "duration_minutes", "book_anyway")

    class Meta:
        model = Visit
        fields = VISIT_FIELDS
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, role: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from taut.access.models import User

        choices = User.objects.filter(pk__in=[m.user_id for m in practitioners()])
        self.fields["practitioner"].queryset = choices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["practitioner"].initial = self.instance.practitioner_id
        allowed = visible_fields("visit", VISIT_FIELDS, role)
        for name in list(self.fields):
            if name not in ("practitioner", "book_anyway") and name not in allowed:
                del self.fields[name]
        self.fields["date"].validators.append(dates.validate_visit_date)

    def clean(self) -> dict[str, Any]:
        """Refuse a time that runs past midnight, and a booking that overlaps another visit of the
        same practitioner unless "book anyway" is ticked (the clashing visit is named)."""
        data = super().clean() or {}
        book_anyway = data.pop("book_anyway", False)
        start, length = data.get("start_time"), data.get("duration_minutes")
        if start is None or length is None:
            return data
        if today.end_time(start, length) is None:
            self.add_error("duration_minutes", "The visit would end after midnight: start earlier or shorten it.")
            return data
        practitioner, day = data.get("practitioner"), data.get("date")
        if practitioner is None or day is None or data.get("status") == Visit.Status.CANCELLED:
            return data
        found = today.clashes(practitioner.pk, day, start, length, exclude_pk=self.instance.pk)
        if found and not book_anyway:
            names = "; ".join(today.describe_clash(v) for v in found)
            self.add_error(
                None,
                f"{practitioner.get_full_name() or practitioner.username} already has a visit that overlaps "
                f"this time on {day:%Y-%m-%d}: {names}. Choose another time, or tick "
                "\u201cBook anyway\u201d to book both.",
            )
        return data


class ConsentForm(forms.Form):
    shown_sha256 = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    signed_by = forms.CharField(max_length=200, label="Name of the person consenting")
    relationship = forms.CharField(max_length=60, initial="self", label="Relationship to the client")
    method = forms.ChoiceField(choices=Consent.Method.choices, label="How consent was given")
    agreed = forms.BooleanField(required=True, label="The client has read this consent and agrees to it")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class VerbalConsentForm(forms.Form):
    """A verbal consent, recorded by the practitioner who read the consent to the client."""

    shown_sha256 = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    signed_by = forms.CharField(max_length=200, label="Who gave consent")
    relationship = forms.CharField(max_length=60, initial="self", label="Relationship to the client")
    signed_at = forms.DateTimeField(
        label="When consent was given",
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": "Give the date and time consent was given, like 2026-12-07 14:30."},
    )
    statement = forms.CharField(
        max_length=4000,
        label="The client's words",
        help_text="What the client said when they agreed, as close to their words as you can.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsentTextForm(forms.Form):
    """The clinic's own consent text, previewed before it is saved as a new version."""

    body = forms.CharField(
        label="Consent text",
        strip=False,
        required=False,
        help_text=(
            "Plain text with a little Markdown: a first line starting with # is the heading, a blank line "
            "starts a paragraph, lines starting 1. 2. 3. make a numbered list, **bold** marks are removed. "
            "Write {clinic} where the clinic's name goes."
        ),
        widget=forms.Textarea(attrs={"rows": 18}),
    )
    previewed_sha256 = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
