from __future__ import annotations

from typing import Any

from django import forms

from taut.clients import dates
from taut.clients.models import Client, Consent, Visit
from taut.clients.services import CLIENT_FIELDS, VISIT_FIELDS, practitioners, visible_fields


class DateInput(forms.DateInput):
    input_type = "date"


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


class VisitForm(forms.ModelForm[Visit]):
    practitioner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, empty_label=None)
    # the API's limits (taut.api.schemas.VisitIn); SQLite alone would accept any integer
    duration_minutes = forms.IntegerField(min_value=5, max_value=480, initial=60, label="Duration (minutes)")

    class Meta:
        model = Visit
        fields = ("date", "kind", "status", "duration_minutes", "chief_complaint", "notes")
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
            if name != "practitioner" and name not in allowed:
                del self.fields[name]
        self.fields["date"].validators.append(dates.validate_visit_date)


class ConsentForm(forms.Form):
    shown_sha256 = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    signed_by = forms.CharField(max_length=200, label="Name of the person consenting")
    relationship = forms.CharField(max_length=60, initial="self", label="Relationship to the client")
    method = forms.ChoiceField(choices=Consent.Method.choices, label="How consent was given")
    agreed = forms.BooleanField(required=True, label="The client has read this consent and agrees to it")
