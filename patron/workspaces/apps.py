from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "patron.workspaces"
    label = "workspaces"
