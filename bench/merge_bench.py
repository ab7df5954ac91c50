"""Benchmark: merging many customers with many related records, and undoing it (issue 6).

    .venv/bin/python bench/merge_bench.py --customers 200 --rows 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/merge_bench \
        .venv/bin/python bench/merge_bench.py --customers 1000 --rows 50000

Makes a workspace with N customers of one kind and R records hanging off them (70% notes,
20% loyalty entries, 10% list entries over 20 lists, so that many of those clash with the
survivor's and are dropped), then merges all N into the first and undoes it, several
times, through the API (`POST /api/v1/merges/`, then `.../undo/`): the time a request
takes. Prints the median and p95 wall time, CPU seconds of this process (the database
server's own CPU is not in it on PostgreSQL), and the number of queries. A merge moving
PATRON_MERGE_BACKGROUND_ROWS records or more (20,000) is a background task; with
PATRON_TASKS=immediate, as here, the task runs within the request, so these figures are
the whole merge's (with a worker, the request only queues it).

On SQLite it uses its own file (/tmp/patron-merge-bench.sqlite3, made afresh); on
PostgreSQL the database of DATABASE_URL, which it empties first.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:////tmp/patron-merge-bench.sqlite3"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from patron.conftest import api_client_for  # noqa: E402
from patron.customers.models import Customer  # noqa: E402
from patron.lists.models import CustomerList, ListEntry  # noqa: E402
from patron.loyalty.models import LoyaltyEntry  # noqa: E402
from patron.notes.models import Note  # noqa: E402
from patron.testing.factories import MembershipFactory, WorkspaceFactory  # noqa: E402
from patron.workspaces.roles import Role  # noqa: E402

BATCH = 5000


def _fresh_database() -> None:
    if connection.vendor == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        path.unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


def _load(customers: int, rows: int):
    workspace = WorkspaceFactory(name="Merge bench", slug="merge-bench")
    membership = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    from patron.customers.services import customer_create

    people = [
        customer_create(
            workspace=workspace,
            actor=membership.user,
            data={"first_name": f"Jane{i}", "last_name": "Whitfield", "city": f"City {i}"},
            via="bench",
        )
        for i in range(customers)
    ]
    lists = [CustomerList.objects.create(workspace=workspace, name=f"List {i}") for i in range(20)]
    notes, loyalty, entries, seen = [], [], [], set()
    for i in range(rows):
        owner = people[i % customers]
        kind = i % 10
        if kind < 7:
            notes.append(Note(workspace=workspace, customer=owner, subject=f"Note {i}"))
        elif kind < 9:
            loyalty.append(
                LoyaltyEntry(workspace=workspace, customer=owner, kind="earned", points=5)
            )
        else:
            chosen = lists[(i // 10) % len(lists)]
            if (chosen.pk, owner.pk) not in seen:
                seen.add((chosen.pk, owner.pk))
                entries.append(ListEntry(customer_list=chosen, customer=owner, via="bench"))
    Note.objects.bulk_create(notes, batch_size=BATCH)
    LoyaltyEntry.objects.bulk_create(loyalty, batch_size=BATCH)
    ListEntry.objects.bulk_create(entries, batch_size=BATCH)
    return workspace, membership, people


def _measure(call):
    count = 0

    def counted(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        wall, cpu = time.perf_counter(), time.process_time()
        response = call()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert response.status_code in (200, 201), response.content[:500]
    return wall, cpu, count, response


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the first merge")
    args = parser.parse_args()
    settings.DEBUG = False
    _fresh_database()
    started = time.perf_counter()
    workspace, membership, people = _load(args.customers, args.rows)
    print(
        f"{connection.vendor}: {args.customers:,} customers, {args.rows:,} related rows "
        f"loaded in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    api = api_client_for(membership)
    body = {"survivor": people[0].pk, "others": [p.pk for p in people[1:]]}
    results = {"merge": [], "undo": []}
    if args.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as profile:
            merged = api.post("/api/v1/merges/", body, format="json").json()
            api.post(f"/api/v1/merges/{merged['id']}/undo/")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    for _ in range(args.repeat):
        merge = _measure(lambda: api.post("/api/v1/merges/", body, format="json"))
        results["merge"].append(merge[:3])
        merge_id = merge[3].json()["id"]
        moved, dropped = merge[3].json()["moved_count"], merge[3].json()["dropped_count"]
        undo = _measure(lambda: api.post(f"/api/v1/merges/{merge_id}/undo/"))  # noqa: B023
        results["undo"].append(undo[:3])
        assert not Customer.objects.filter(workspace=workspace, deleted_at__isnull=False).exists()
    print(f"moved {moved:,} rows, dropped {dropped:,} (the survivor had them)")
    print(f"{'':6} {'wall median':>12} {'wall p95':>10} {'CPU median':>11} {'queries':>8}")
    for name, runs in results.items():
        walls, cpus, counts = zip(*runs, strict=True)
        print(
            f"{name:6} {statistics.median(walls):11.2f}s {_p95(walls):9.2f}s "
            f"{statistics.median(cpus):10.2f}s {statistics.median(counts):8.0f}"
        )


if __name__ == "__main__":
    main()
