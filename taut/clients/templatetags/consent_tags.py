"""Consent texts and versions named in words on the pages."""

from __future__ import annotations

from django import template

from taut.clients import consent

register = template.Library()

TITLES = {"treatment-consent": "Treatment consent"}


@register.filter
def consent_title(text_id: str) -> str:
    return TITLES.get(text_id, text_id.replace("-", " ").replace("_", " ").capitalize())


@register.filter
def consent_version(version: str) -> str:
    return consent.version_label(version)
