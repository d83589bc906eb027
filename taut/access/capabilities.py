"""The one table of who may do what. Check it through `has()` or `require()`; deny by default."""

from __future__ import annotations

from taut.access.models import Role

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER, Role.PRACTITIONER, Role.FRONT_DESK
EVERYONE = frozenset({OWNER, PRACTITIONER, FRONT_DESK})
CLINICAL = frozenset({OWNER, PRACTITIONER})

CAPABILITIES: dict[str, frozenset[str]] = {
    "can_view_client": EVERYONE,
    "can_edit_client": EVERYONE,
    "can_view_clinical": CLINICAL,
    "can_edit_clinical": CLINICAL,
    "can_view_visit": EVERYONE,
    "can_edit_visit": EVERYONE,
    "can_view_consent": EVERYONE,
    "can_record_consent": EVERYONE,
    "can_send_intake": CLINICAL,  # whoever holds a link can read the client's draft answers
    "can_view_plan": CLINICAL,  # treatment plans: clinical content
    "can_edit_plan": CLINICAL,
    "can_sign_plan": CLINICAL,
    "can_send_home_programme": CLINICAL,  # whoever holds the link sees the exercises and the ticks
    "can_send_measures": CLINICAL,  # outcome measures to the client's phone (taut.assessments.links)
    "can_export_client": CLINICAL,
    "can_import_client": CLINICAL,
    "can_manage_users": frozenset({OWNER}),
    "can_view_audit": frozenset({OWNER}),
    "can_export_audit": frozenset({OWNER}),
    "can_manage_clinic": frozenset({OWNER}),
    "can_edit_listing": CLINICAL,  # one's own public directory listing
    "can_manage_listings": frozenset({OWNER}),  # the clinic's listings as CSV (import and export)
    "can_request_erasure": frozenset({OWNER}),  # erases contact details at once, the record when retention ends
}


class CapabilityDenied(Exception):
    def __init__(self, capability: str) -> None:
        super().__init__(f"Your role in this clinic does not allow this ({capability}).")
        self.capability = capability


def has(role: str | None, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}; add it to taut.access.capabilities.CAPABILITIES")
    return role is not None and role in CAPABILITIES[capability]


def require(role: str | None, capability: str) -> None:
    if not has(role, capability):
        raise CapabilityDenied(capability)


def all_for(role: str | None) -> frozenset[str]:
    return frozenset(name for name, roles in CAPABILITIES.items() if role in roles)
