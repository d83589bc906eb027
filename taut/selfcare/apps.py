from django.apps import AppConfig


class SelfcareConfig(AppConfig):
    name = "taut.selfcare"
    label = "selfcare"
    verbose_name = "Self-care pages"
    default_auto_field = "django.db.models.BigAutoField"
