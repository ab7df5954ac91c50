from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "patron.lists"
    label = "lists"

    def ready(self) -> None:
        from patron.lists.customer_parts import register_list_parts

        register_list_parts()
