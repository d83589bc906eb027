from typing import Any

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "taut.intake"
    label = "intake"

    def ready(self) -> None:
        from taut.clients.gate import consent_withdrawn

        consent_withdrawn.connect(revoke_links_on_withdrawal, dispatch_uid="intake-revoke-on-withdrawal")


def revoke_links_on_withdrawal(sender: Any, consent: Any, **kwargs: Any) -> None:
    """A withdrawn consent kills the client's open intake links at once (in the withdrawal's transaction)."""
    from django.utils import timezone

    from taut.audit import service as audit
    from taut.intake.models import IntakeLink

    for link in IntakeLink.objects.filter(client=consent.client, submitted_at=None, revoked_at=None):
        link.revoked_at = timezone.now()
        link.draft = {}
        link.save(update_fields=["revoked_at", "draft"])
        audit.record("revoke", link, detail={"reason": "consent withdrawn"})
