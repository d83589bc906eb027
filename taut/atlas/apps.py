from django.apps import AppConfig


class AtlasConfig(AppConfig):
    name = "taut.atlas"
    label = "atlas"
