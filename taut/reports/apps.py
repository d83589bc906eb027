from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "taut.reports"
    label = "reports"
    verbose_name = "Progress and reports"
