"""Index migrations of the customer table leave it in use on PostgreSQL (CONCURRENTLY)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)  # sqlmigrate of a non-atomic migration


@pytest.mark.parametrize("migration", ["0009", "0010"])
def test_the_customer_index_migrations_build_concurrently_on_postgresql(migration):
    out = io.StringIO()
    call_command("sqlmigrate", "customers", migration, stdout=out)
    sql = out.getvalue()
    assert "CREATE INDEX" in sql
    assert "BEGIN;" not in sql  # not atomic: PostgreSQL refuses CONCURRENTLY in a transaction
    if connection.vendor == "postgresql":
        assert "CREATE INDEX CONCURRENTLY" in sql
        assert "DROP INDEX" not in sql or "DROP INDEX CONCURRENTLY" in sql
    else:
        assert "CONCURRENTLY" not in sql.replace("concurrently on PostgreSQL", "")
