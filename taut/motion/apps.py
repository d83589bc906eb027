from django.apps import AppConfig


class MotionConfig(AppConfig):
    name = "taut.motion"
    label = "motion"
