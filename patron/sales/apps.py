from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "patron.sales"
    label = "sales"

    def ready(self) -> None:
        from patron.sales.customer_parts import register_sales_parts

        register_sales_parts()
