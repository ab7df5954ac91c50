from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "patron.members"
    label = "members"

    def ready(self) -> None:
        from patron.members.customer_parts import register_member_parts

        register_member_parts()
