from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "patron.customers"
    label = "customers"

    def ready(self) -> None:
        from patron.customers.customer_page import register_customer_parts

        register_customer_parts()
