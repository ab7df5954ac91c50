"""What the benches share: loading a large synthetic workspace the fastest way the
database allows (COPY on PostgreSQL, executemany on SQLite), past the ORM.

Import it after django.setup().
"""

from django.db import connection

from patron.customers.models import Customer

BATCH = 20_000


def customer_columns_and_defaults() -> tuple[list[str], dict]:
    """Every concrete column of the customer table with the value a new customer gets."""
    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for field in fields:
        if field.has_default():
            defaults[field.column] = field.get_default()
        else:
            defaults[field.column] = None if field.null else ""
    return [f.column for f in fields], defaults


def insert_rows(table: str, columns: list[str], rows) -> None:
    """Bulk rows into `table`: COPY on PostgreSQL, executemany on SQLite."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        insert = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(insert, batch)
                batch = []
        if batch:
            cursor.executemany(insert, batch)
