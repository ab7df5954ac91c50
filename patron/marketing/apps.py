from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "patron.marketing"
    label = "marketing"

    def ready(self) -> None:
        from patron.marketing import defaults
        from patron.marketing.customer_parts import register_marketing_parts

        defaults.connect()
        register_marketing_parts()
