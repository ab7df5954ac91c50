"""The import in a workspace of many customers: matching a batch's rows by email never goes
through the email search's trigram index, which answers equality slowly (at 50,000
customers, 6 s a batch of 1,000 addresses against 6 ms through the email index)."""

import csv

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patron.customers.models import Customer
from patron.customers.normalize import name_key
from patron.exchange.importing import Options, import_run
from patron.exchange.reading import open_table

EXISTING = 5_000


def many_customers(workspace) -> None:
    Customer.objects.bulk_create(
        Customer(
            workspace=workspace,
            number=n,
            first_name=f"First{n}",
            last_name=f"Last{n}",
            email=f"person{n}@example.com",
            name_key=name_key(f"Last{n}", f"First{n}"),
            given_name_key=name_key(f"First{n}", f"Last{n}"),
        )
        for n in range(1, EXISTING + 1)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's (SQLite: FTS5)"
)
def test_rows_matched_by_email_are_found_through_the_email_index(tmp_path, workspace, admin):
    many_customers(workspace)
    path = tmp_path / "customers.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["First name", "Last name", "Email", "Job title"])
        for n in range(1, 301):
            writer.writerow([f"First{n}", f"Last{n}", f"PERSON{n}@example.com", "Clerk"])

    with CaptureQueriesContext(connection) as queries:
        report = import_run(
            workspace=workspace, actor=admin, table=open_table(path), options=Options(usage="email")
        )

    assert (report.updated, report.created, report.failed) == (300, 0, 0)
    assert Customer.objects.filter(workspace=workspace, job_title="Clerk").count() == 300
    statements = [query["sql"] for query in queries.captured_queries]
    lookup = next(
        at
        for at, sql in enumerate(statements)
        if sql.startswith("SELECT") and "person1@example.com" in sql
    )
    assert "set_config('enable_bitmapscan', 'off', true)" in statements[lookup - 1]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone()[0] == "on"  # given back after the lookup
        # As the lookup ran; and as in a workspace of a million, where reading the whole
        # table costs far more than any index.
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statements[lookup])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "customer_email_trgm_idx" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_the_import_reads_the_indexes_through_a_larger_page_cache_then_gives_it_back(
    tmp_path, workspace, admin
):
    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    path = tmp_path / "customers.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Last name", "Email"])
        writer.writerows([f"Last{n}", f"person{n}@example.com"] for n in range(30))
    during = []

    report = import_run(
        workspace=workspace,
        actor=admin,
        table=open_table(path),
        batch_size=10,
        progress=lambda rows: during.append(cache_size()),
    )

    assert report.created == 30
    # SQLite's negative sizes are KiB: 64 MB while the batches are written, 2 MB after.
    assert during == [-64 * 1024] * 3
    assert cache_size() == before == -2000
