from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "taut.safety"
    label = "safety"
