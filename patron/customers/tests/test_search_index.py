"""The email search's trigram index (customers/search_index.py) as it is kept on SQLite."""

import pytest
from django.db import connection, transaction

from patron.customers import search_index
from patron.customers.models import Customer
from patron.customers.queries import global_search
from patron.testing.factories import make_customer

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's index is a GIN index, kept by itself"
)


def segments() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT segid) FROM {search_index.FTS_TABLE}_idx")
        return cursor.fetchone()[0]


def found(workspace, text: str) -> list[str]:
    customers = Customer.objects.in_workspace(workspace).searchable()
    return sorted(c.email for c in global_search(customers, text, "GB"))


@sqlite_only
def test_optimize_merges_the_index_into_one_segment_and_finds_the_same(workspace, admin):
    # Each customer saved in a transaction (a savepoint here) of its own: FTS5 writes each
    # one's entries as a segment of their own, as a live database's saves do.
    for n, local in enumerate(["ann.smith", "bo.smithers", "cy.jones", "smith.di"]):
        with transaction.atomic():
            make_customer(workspace, admin, first_name=f"P{n}", email=f"{local}@example.com")
    assert segments() > 1
    before = found(workspace, "smith@")

    search_index.optimize(connection)

    assert segments() == 1
    assert found(workspace, "smith@") == before == ["ann.smith@example.com"]
    everyone = ["ann.smith", "bo.smithers", "cy.jones", "smith.di"]
    assert found(workspace, "@example") == [f"{local}@example.com" for local in everyone]


@sqlite_only
def test_ensure_merges_the_segments_a_live_databases_saves_added(workspace, admin):
    """As after every migrate (the index is all there: triggers and table)."""
    for n in range(3):
        with transaction.atomic():
            make_customer(workspace, admin, first_name=f"P{n}", email=f"p{n}.smith@example.com")
    assert segments() > 1

    search_index.ensure(connection)

    assert segments() == 1
    assert len(found(workspace, "smith@")) == 3


@sqlite_only
def test_ensure_leaves_a_rebuilt_index_in_one_segment(workspace, admin):
    for n in range(3):
        with transaction.atomic():
            make_customer(workspace, admin, first_name=f"P{n}", email=f"p{n}.smith@example.com")
    search_index.drop(connection)

    search_index.ensure(connection)

    assert segments() == 1
    assert len(found(workspace, "smith@")) == 3
