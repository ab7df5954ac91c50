from django.apps import AppConfig


class TelemarketingConfig(AppConfig):
    name = "patron.telemarketing"
    label = "telemarketing"

    def ready(self) -> None:
        from patron.telemarketing.customer_parts import register_telemarketing_parts

        register_telemarketing_parts()
