from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "taut.privacy"
    label = "privacy"

    def ready(self) -> None:
        # A retention period below its legal minimum stops every start (web, worker, CLI) with
        # the reason; the system check privacy.E001 says the same to `manage check`.
        from taut.clients import gate
        from taut.privacy import erasure, retention

        retention.periods()
        # a record held after an erasure request takes no new clinical work (the consent gate asks)
        gate.register_hold(erasure.hold_problem)
