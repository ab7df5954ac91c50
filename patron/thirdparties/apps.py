from django.apps import AppConfig


class ThirdPartiesConfig(AppConfig):
    name = "patron.thirdparties"
    label = "thirdparties"

    def ready(self) -> None:
        from patron.thirdparties.customer_parts import register_third_party_parts

        register_third_party_parts()
