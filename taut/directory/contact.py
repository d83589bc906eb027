"""The contact form of a public listing: a visitor's message relayed to the practitioner by
e-mail (Django's e-mail framework), with the visitor as Reply-To. The practitioner's address is
never shown; the audit records that a message went to the listing, never what it said."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction

from taut.audit import service as audit
from taut.directory.models import Listing

LIMITS = {"name": 120, "email": 254, "message": 5000}
HONEYPOT = "website"  # hidden from people; a bot that fills it is dropped without a word


class MessageError(ValueError):
    """A half-filled or bad contact form; `errors` maps a field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def takes_messages(listing: Listing) -> bool:
    """Whether the listing offers the form: published, not turned off, and an address to send to."""
    return bool(listing.published and listing.contact_form and listing.practitioner.email)


def clean(data: dict[str, Any]) -> dict[str, str]:
    """Check every field; raise MessageError naming each one at fault."""
    errors: dict[str, str] = {}
    out = {name: str(data.get(name, "") or "").strip() for name in LIMITS}
    labels = {"name": "Your name", "email": "Your e-mail address", "message": "The message"}
    for name, limit in LIMITS.items():
        if not out[name]:
            errors[name] = f"{labels[name]} is required."
        elif len(out[name]) > limit:
            errors[name] = f"{labels[name]} is at most {limit} characters."
    if "name" not in errors and any(ch in out["name"] for ch in "\r\n<>"):
        errors["name"] = "Your name is one line without < or >."
    if "email" not in errors:
        try:
            validate_email(out["email"])
        except ValidationError:
            errors["email"] = "Give an e-mail address the practitioner can answer, like name@example.org."
    if errors:
        raise MessageError(errors)
    return out


def do_send_message(listing: Listing, data: dict[str, Any], listing_url: str) -> None:
    """Relay the message; the audit entry and the sending succeed or fail together."""
    fields = clean(data)
    body = (
        f"{fields['name']} <{fields['email']}> wrote to you through your directory listing\n"
        f"{listing_url}\n\n{fields['message']}\n\n"
        "-- \nReply to this e-mail to answer them. Your e-mail address was not shown to them; "
        "it is when you reply.\n"
    )
    mail = EmailMessage(
        subject=f"Message from {fields['name']} through the Taut directory",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[listing.practitioner.email],
        reply_to=[fields["email"]],
    )
    with transaction.atomic():
        audit.record("message", listing, clinic=listing.clinic, detail={"channel": "contact form"})
        mail.send(fail_silently=False)
