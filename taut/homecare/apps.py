from django.apps import AppConfig


class HomecareConfig(AppConfig):
    name = "taut.homecare"
    label = "homecare"
