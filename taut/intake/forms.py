"""The intake's steps as forms. The same forms serve the client's link (one step a page) and
the clinic (all steps on one page); field names are unique across the steps for that reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model

from taut.access.models import Membership
from taut.assessments import measures
from taut.assessments import services as assessments
from taut.audit import context as audit_context
from taut.clients import consent as consent_texts
from taut.clients import dates
from taut.clients.models import Client
from taut.intake.screen import load_screen

YES_NO = [("yes", "Yes"), ("no", "No")]
CONSENT_TEXT = "treatment-consent"
CONTACT_FIELDS = (
    "given_name", "family_name", "date_of_birth", "sex", "phone", "email", "address", "occupation",
    "emergency_contact_name", "emergency_contact_phone",
)  # fmt: skip
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 30, 7


class ContactForm(forms.Form):
    """Step 1: who the client is and how to reach them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Client, fields=CONTACT_FIELDS))
        self.fields["date_of_birth"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["date_of_birth"].help_text = "Year, month, day (for example 1985-03-21)."
        self.fields["date_of_birth"].validators.append(dates.validate_birth_date)
        self.fields["phone"].required = True
        for name in ("phone", "emergency_contact_phone"):
            self.fields[name].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(autocomplete="tel")
        self.fields["email"].widget.input_type = "email"
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["given_name"].widget.attrs.update(autocomplete="given-name")
        self.fields["family_name"].widget.attrs.update(autocomplete="family-name")
        self.fields["address"].widget.attrs.update(autocomplete="street-address")


class HealthForm(forms.Form):
    """Step 2: why they come, their health history, medications and physician."""

    reason = forms.CharField(
        label="What brings you in?",
        max_length=300,
        help_text="In a few words: where it hurts or what you would like help with.",
    )
    health_history = forms.CharField(
        label="Health history",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Illnesses, injuries, operations and conditions, past and present.",
    )
    medications = forms.CharField(
        label="Medications and supplements",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Name and dose, if you know them. Write 'none' if you take none.",
    )
    physician = forms.CharField(label="Your physician", required=False, max_length=200, help_text="Name and practice.")


class ScreenForm(forms.Form):
    """Step 3: the contraindication screen and the red-flag questions, each asked once, in short
    groups. A red flag an item asks as well is not asked again; its follow-up (if any) is asked
    only after a "yes" to the item."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        error = {"required": "Answer yes or no."}
        screen = load_screen()
        for group in screen.groups:
            for item in group.items:
                self.fields[f"ci_{item.id}"] = forms.ChoiceField(
                    label=item.question, choices=YES_NO, widget=forms.RadioSelect, error_messages=error
                )
                if item.detail_choices:
                    self.fields[f"ci_{item.id}_detail"] = forms.ChoiceField(
                        label=item.detail,
                        required=False,
                        choices=[("", "—"), *((c, c.capitalize()) for c in item.detail_choices)],
                    )
                elif item.detail:
                    self.fields[f"ci_{item.id}_detail"] = forms.CharField(
                        label=item.detail, required=False, max_length=300
                    )
                if item.follow_up:
                    self.fields[f"rf_{item.red_flag}"] = forms.ChoiceField(
                        label=item.follow_up, required=False, choices=YES_NO, widget=forms.RadioSelect
                    )
            for flag_id, question in group.red_flags:
                self.fields[f"rf_{flag_id}"] = forms.ChoiceField(
                    label=question, choices=YES_NO, widget=forms.RadioSelect, error_messages=error
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in load_screen().items:
            if item.detail_choices and data.get(f"ci_{item.id}") == "yes" and not data.get(f"ci_{item.id}_detail"):
                self.add_error(f"ci_{item.id}_detail", f"{item.detail} Choose one.")
            if item.follow_up and data.get(f"ci_{item.id}") == "yes" and not data.get(f"rf_{item.red_flag}"):
                self.add_error(f"rf_{item.red_flag}", "Answer yes or no.")
        return data

    def groups(self) -> list[dict[str, Any]]:
        """The short groups of the step, each with its rows (a question, its detail, its follow-up)."""
        return [
            {
                "id": g.id,
                "title": g.title,
                "rows": [
                    {
                        "field": self[f"ci_{i.id}"],
                        "detail": self[f"ci_{i.id}_detail"] if (i.detail or i.detail_choices) else None,
                        "follow_up": self[f"rf_{i.red_flag}"] if i.follow_up else None,
                    }
                    for i in g.items
                ]
                + [{"field": self[f"rf_{fid}"], "detail": None, "follow_up": None} for fid, _ in g.red_flags],
            }
            for g in load_screen().groups
        ]


class PainForm(forms.Form):
    """Step 4: the body chart (the same widget and line format as the practitioner's pain chart)."""

    pain = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "pain-lines"}),
        label="Where it hurts",
        help_text="One per line: area, then optionally :strength 0-10 and :how it feels, e.g. 'left temple:7:aching'.",
        max_length=5000,
        required=False,
    )
    no_pain = forms.BooleanField(label="I have no pain or discomfort to mark", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("pain") or ""
        if text.strip():
            try:
                inputs = assessments.inputs_from_text(text, {})
                assessments.compute(inputs)  # the chart as the practitioner's reasoning will read it
                data["marks"] = inputs["pain"]
            except ValidationError as exc:
                self.add_error("pain", [m for msgs in exc.message_dict.values() for m in msgs])
        elif not data.get("no_pain"):
            raise ValidationError("Tap where it hurts on the body, or tick 'I have no pain or discomfort to mark'.")
        return data


class WellnessForm(forms.Form):
    """Step 5: the wellness questionnaire of the knowledge base (every question optional)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for domain in measures.wellness_domains():
            for q in domain.questions:
                self.fields[f"{domain.id}.{q.id}"] = forms.ChoiceField(
                    label=q.text,
                    required=False,
                    choices=[(o.value, o.label) for o in q.options],
                    widget=forms.RadioSelect,
                )

    def blocks(self) -> list[dict[str, Any]]:
        return [
            {"name": d.name, "fields": [self[f"{d.id}.{q.id}"] for q in d.questions]}
            for d in measures.wellness_domains()
        ]


def _current_consent_version() -> str:
    """The version of the consent the acting clinic shows now (its own text when it wrote one)."""
    return consent_texts.load(CONSENT_TEXT, clinic=audit_context.current().clinic).version


class ConsentForm(forms.Form):
    """Step 6: the current consent text, signed by typing a name and ticking agreement."""

    consent_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    signed_by = forms.CharField(
        label="Your full name, as your signature",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    relationship = forms.CharField(
        label="Signing for yourself? If not, your relationship to the client",
        max_length=60,
        initial="self",
        required=False,
    )
    agreed = forms.BooleanField(
        label="I have read the consent above and agree to it",
        error_messages={"required": "Tick the box to agree; without consent the intake cannot be sent."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_version"].initial = _current_consent_version()

    def clean_consent_version(self) -> str:
        value: str = self.cleaned_data["consent_version"]
        current = _current_consent_version()
        if value != current:
            raise ValidationError("The consent text has changed since you opened it; please read it again and sign.")
        return value


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form: type[forms.Form]


STEPS: tuple[Step, ...] = (
    Step("contact", "Contact details", ContactForm),
    Step("health", "Health history & medications", HealthForm),
    Step("screen", "Safety questions", ScreenForm),
    Step("pain", "Pain chart", PainForm),
    Step("wellness", "Wellness", WellnessForm),
    Step("consent", "Consent", ConsentForm),
)
STEP_SLUGS = tuple(s.slug for s in STEPS)


def step(slug: str) -> Step | None:
    return next((s for s in STEPS if s.slug == slug), None)


def raw_values(form: forms.Form) -> dict[str, str]:
    """The posted values of a valid form, as text, to keep as a draft (and bind the form again)."""
    out: dict[str, str] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form.data.get(key)
        if isinstance(field, forms.BooleanField):
            if form.cleaned_data.get(name):
                out[name] = "on"
        elif value not in (None, ""):
            out[name] = str(value)
    return out


class LinkForm(forms.Form):
    """A staff member sends an intake link: how long it stays valid and which practitioner it is for."""

    days = forms.IntegerField(
        label="Valid for (days)",
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=f"From {MIN_DAYS} to {MAX_DAYS} days.",
    )
    practitioner: forms.ModelChoiceField[Membership] = forms.ModelChoiceField(
        queryset=Membership.objects.none(), empty_label=None, label="For the practitioner"
    )

    def __init__(self, *args: Any, practitioners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practitioner"]
        field.queryset = practitioners  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: str(m.user)  # type: ignore[attr-defined]
