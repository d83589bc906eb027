from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "taut.privacy"
    label = "privacy"

    def ready(self) -> None:
        from taut.privacy import retention  # noqa: F401  (registers the retention system check)
