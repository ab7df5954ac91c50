from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "patron.history"
    label = "history"
