"""Benchmark: previewing a large bulk-update file (issue 5: no web request runs longer than
a few seconds, and a page view never redoes the work).

    .venv/bin/python bench/updates_bench.py --size 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/updates_bench \
        .venv/bin/python bench/updates_bench.py --size 100000

Loads `--size` customers past the ORM (`bench/bulk.py`), a twentieth of them with the
trait Golfer already, then uploads a traits file of `--size` rows (one per customer, 1% of
them naming a trait that does not exist) through the Update customers page, as a browser
does. A file of PATRON_BULK_UPDATE_BACKGROUND_ROWS rows or more is previewed by a
background task: the bench runs with PATRON_TASKS=db and runs that task itself, timed
apart from the request. Then it views the preview page (first page and a far page), the
bad rows' CSV and the API's detail `--repeat` times each.

Prints, for each, the median and p95 wall time, the median CPU seconds of this process (the
database server's own CPU is not in it on PostgreSQL) and the number of queries, then the
process's peak RSS. On SQLite it uses its own file (/tmp/patron-updates-bench.sqlite3, made
afresh); on PostgreSQL the database of DATABASE_URL (its name must contain "bench"), which
it empties first.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
os.environ["PATRON_TASKS"] = "db"  # the bench runs the background task itself, timed
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:////tmp/patron-updates-bench.sqlite3"

import django

django.setup()

from bulk import customer_columns_and_defaults, insert_rows  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from patron.conftest import api_client_for  # noqa: E402
from patron.customers.models import Customer  # noqa: E402
from patron.marketing.models import CustomerTrait, Trait  # noqa: E402
from patron.testing.factories import MembershipFactory, WorkspaceFactory  # noqa: E402
from patron.updates import services  # noqa: E402
from patron.updates.models import BulkUpdate  # noqa: E402
from patron.workspaces.roles import Role  # noqa: E402


def _fresh_database() -> None:
    if connection.vendor == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        path.unlink(missing_ok=True)
    else:
        if "bench" not in settings.DATABASES["default"]["NAME"]:
            sys.exit("The database's name must contain 'bench': the bench empties it.")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


def _load(size: int):
    workspace = WorkspaceFactory(name="Updates bench", slug="updates-bench")
    membership = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    columns, defaults = customer_columns_and_defaults()
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    defaults.update(workspace_id=workspace.pk, created_at=stamp, updated_at=stamp)

    def customers():
        for n in range(1, size + 1):
            row = dict(defaults, number=n, first_name=f"First{n % 977}", last_name=f"Last{n}")
            yield [row[column] for column in columns]

    insert_rows(Customer._meta.db_table, columns, customers())
    golfer = Trait.objects.create(workspace=workspace, name="Golfer")
    first = Customer.objects.filter(workspace=workspace).order_by("pk").first().pk
    insert_rows(
        CustomerTrait._meta.db_table,
        ["workspace_id", "customer_id", "trait_id", "created_at", "updated_at"],
        (
            [workspace.pk, pk, golfer.pk, stamp, stamp]
            for pk in random.sample(range(first, first + size), size // 20)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return workspace, membership


def _file(size: int) -> bytes:
    lines = ["Customer no.,Trait"]
    for n in range(1, size + 1):
        lines.append(f"{n},{'Golfr' if n % 100 == 0 else 'Golfer'}")
    return ("\n".join(lines) + "\n").encode()


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
    status = getattr(response, "status_code", 200)
    assert status in (200, 201, 202, 302), getattr(response, "content", b"")[:500]
    return wall, cpu, count, response


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _print(name: str, runs: list) -> None:
    walls, cpus, counts = zip(*[run[:3] for run in runs], strict=True)
    print(
        f"{name:22} {statistics.median(walls):11.2f}s {_p95(walls):9.2f}s "
        f"{statistics.median(cpus):10.2f}s {statistics.median(counts):8.0f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings.DEBUG = False
    # The pages render without collectstatic's manifest, as in the tests.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        STATIC_ROOT=tempfile.mkdtemp(prefix="patron-updates-bench-"),
    ).enable()
    _fresh_database()
    started = time.perf_counter()
    _, membership = _load(args.size)
    print(
        f"{connection.vendor}: {args.size:,} customers loaded in "
        f"{time.perf_counter() - started:.1f} s; a traits file of {args.size:,} rows, "
        f"background from {services.background_rows():,} rows",
        flush=True,
    )
    content = _file(args.size)
    browser = Client()
    browser.force_login(membership.user)
    api = api_client_for(membership)
    browser.get("/marketing/updates/")  # untimed: the first request imports the URLs' views
    print(f"{'':22} {'wall median':>12} {'wall p95':>10} {'CPU median':>11} {'queries':>8}")

    def upload():
        file = SimpleUploadedFile("golfers.csv", content, content_type="text/csv")
        return browser.post("/marketing/updates/", {"kind": "traits", "file": file})

    _print("upload (request)", [_measure(upload)])
    bulk_update = BulkUpdate.objects.get()
    if bulk_update.state == BulkUpdate.State.PREVIEWING:
        _print(
            "preview (task)", [_measure(lambda: services.bulk_update_preview_run(bulk_update.pk))]
        )
    bulk_update.refresh_from_db()
    assert bulk_update.state == BulkUpdate.State.PREVIEWED, bulk_update.error
    url = bulk_update.get_absolute_url()
    views = {
        "preview page": lambda: browser.get(url),
        "preview page 500": lambda: browser.get(f"{url}?page=500"),
        "bad rows CSV": lambda: browser.get(f"{url}errors.csv"),
        "API detail": lambda: api.get(f"/api/v1/bulk-updates/{bulk_update.pk}/"),
    }
    for name, view in views.items():
        runs = [_measure(view) for _ in range(args.repeat)]
        _print(name, runs)
    page = runs[0][3]
    counts = page.json()["preview"]["counts"]
    print(f"counts: {counts}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
