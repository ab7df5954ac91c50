from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "patron.calls"
    label = "calls"

    def ready(self) -> None:
        from patron.calls.customer_parts import register_call_parts

        register_call_parts()
