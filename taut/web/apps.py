from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "taut.web"
    label = "web"

    def ready(self) -> None:
        from taut.web import durability

        durability.connect()
