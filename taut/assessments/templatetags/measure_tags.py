"""The client page's outcome-measure history (clinical roles only: the template checks the capability)."""

from __future__ import annotations

from django import template

from taut.assessments import measures
from taut.clients.models import Client

register = template.Library()


@register.simple_tag
def measure_history(client: Client) -> list[measures.History]:
    return measures.history(client)
