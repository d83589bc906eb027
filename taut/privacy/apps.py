from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "taut.privacy"
    label = "privacy"

    def ready(self) -> None:
        # A retention period below its legal minimum stops every start (web, worker, CLI) with
        # the reason; the system check privacy.E001 says the same to `manage check`.
        from taut.privacy import retention

        retention.periods()
