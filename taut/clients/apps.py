from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "taut.clients"
    label = "clients"
