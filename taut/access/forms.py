from __future__ import annotations

from django import forms

from taut.access.models import Clinic, PractitionerProfile, Role


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=8,
        label="6-digit code from your authenticator app",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class NewUserForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(
        min_length=8, max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters. Long passphrases are welcome.",
    )  # fmt: skip


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="What the token is for")


class ClinicForm(forms.ModelForm[Clinic]):
    class Meta:
        model = Clinic
        fields = ("name", "city", "country", "phone", "allow_verbal_consent")


class ProfileForm(forms.ModelForm[PractitionerProfile]):
    class Meta:
        model = PractitionerProfile
        fields = ("credentials", "certifying_body", "certificate_number", "modalities", "languages")
