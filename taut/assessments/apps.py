from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "taut.assessments"
    label = "assessments"
