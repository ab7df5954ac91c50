from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _restore_search_index(using: str, **kwargs) -> None:
    """A migration that rebuilt the customer table on SQLite dropped the email index's
    triggers with the old table: put them back (and refill the index)."""
    from patron.customers import search_index

    connection = connections[using]
    if connection.vendor == "sqlite" and search_index.FTS_TABLE in (
        connection.introspection.table_names()
    ):
        search_index.ensure(connection)


class CustomersConfig(AppConfig):
    name = "patron.customers"
    label = "customers"

    def ready(self) -> None:
        from patron.customers.customer_page import register_customer_parts

        register_customer_parts()
        post_migrate.connect(_restore_search_index, sender=self)
