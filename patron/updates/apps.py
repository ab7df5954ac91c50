from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "patron.updates"
    label = "updates"
