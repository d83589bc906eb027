from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "taut.privacy"
    label = "privacy"
