"""Benchmark: importing a customer CSV against the bare database loading the same file.

    .venv/bin/python bench/import_bench.py --size 100000 --existing 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/import_bench \
        .venv/bin/python bench/import_bench.py --size 100000

Writes a realistic CSV of --size rows and 20 columns (1% of rows bad with --bad), loads
--existing customers into a fresh workspace (a tenth of the file's rows are among them,
found by email), then times:

  (a) `importing.import_run` with validation, normalization and matching on email;
  (b) the bare database loading the same file into an equivalent 20-column table:
      SQLite one-transaction `executemany`, PostgreSQL `COPY`.

Prints rows per second of both, their ratio, and the peak RSS of the process (which also
holds Django); issue 5 asks 40% (SQLite) / 30% (PostgreSQL) and under 300 MB.
"""

import argparse
import csv
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:////tmp/patron-import-bench.sqlite3"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from patron.customers.models import Customer  # noqa: E402
from patron.exchange.importing import Options, import_run  # noqa: E402
from patron.exchange.reading import open_table  # noqa: E402
from patron.workspaces.models import Store, Workspace  # noqa: E402

HEADERS = [
    "Title", "First name", "Middle name", "Last name", "Date of birth", "Company name",
    "Job title", "Address 1", "Address 2", "City", "State", "Postcode", "Country", "Email",
    "Work phone", "Home phone", "Mobile phone", "Gender", "Customer type", "Ext. ref.",
]  # fmt: skip
CITIES = ["Leeds", "London", "York", "Bath", "Hull", "Derby", "Ely", "Wells"]


def row(n: int, bad: bool) -> list[str]:
    return [
        ["Mr", "Ms", "Mrs", "Dr"][n % 4],
        f"First{n}",
        "",
        f"Last{n}",
        f"19{50 + n % 50}-0{1 + n % 9}-1{n % 9}",
        f"Company {n % 5000}",
        "Clerk",
        f"{n} High Street",
        "",
        CITIES[n % len(CITIES)],
        "",
        f"LS{n % 30} {n % 9}AP",
        "United Kingdom",
        f"person{n}@example.com" if not bad else f"person{n}@",
        f"020 7946 {n % 10000:04d}",
        "",
        f"07911 {n % 1_000_000:06d}",
        ["Male", "Female", ""][n % 3],
        "Customer",
        f"REF{n}",
    ]


def write_file(path: Path, size: int, bad_every: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        for n in range(size):
            writer.writerow(row(n, bool(bad_every) and n % bad_every == 7))


def load_existing(workspace: Workspace, count: int, file_size: int) -> None:
    """Customers numbered like the file's rows from a tenth of the way in: some of the
    file's rows match them by email, the rest are other people."""
    start = file_size - file_size // 10
    batch = []
    for offset in range(count):
        n = start + offset
        batch.append(
            Customer(
                workspace=workspace,
                number=offset + 1,
                first_name=f"First{n}",
                last_name=f"Last{n}",
                email=f"person{n}@example.com",
                name_key=f"last{n} first{n}",
                given_name_key=f"first{n} last{n}",
            )
        )
        if len(batch) == 2_000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    from patron.core.models import Sequence

    Sequence.objects.update_or_create(
        workspace=workspace, name="customer", defaults={"last_value": count}
    )


def bare_load(path: Path) -> float:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bare_import")
        columns = ", ".join(f"c{i} varchar(254)" for i in range(len(HEADERS)))
        cursor.execute(f"CREATE TABLE bare_import (id integer primary key, {columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(f"c{i}" for i in range(len(HEADERS)))
            with (
                path.open("rb") as file,
                cursor.cursor.copy(
                    f"COPY bare_import ({names}) FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                while block := file.read(1 << 20):
                    copy.write(block)
        else:
            marks = ", ".join("%s" for _ in HEADERS)
            names = ", ".join(f"c{i}" for i in range(len(HEADERS)))
            with path.open(newline="", encoding="utf-8") as file:
                reader = csv.reader(file)
                next(reader)
                cursor.executemany(f"INSERT INTO bare_import ({names}) VALUES ({marks})", reader)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--existing", type=int, default=None, help="default: --size")
    parser.add_argument("--bad", action="store_true", help="1%% of rows with a bad email")
    arguments = parser.parse_args()
    existing = arguments.size if arguments.existing is None else arguments.existing

    call_command("migrate", verbosity=0)
    Workspace.objects.filter(slug="import-bench").delete()
    workspace = Workspace.objects.create(name="Import bench", slug="import-bench")
    Store.objects.create(workspace=workspace, name="Main store")
    path = Path("/tmp/patron-import-bench.csv")
    write_file(path, arguments.size, 100 if arguments.bad else 0)
    load_existing(workspace, existing, arguments.size)
    print(f"{arguments.size:,} rows, {existing:,} customers already there ({connection.vendor})")

    started = time.perf_counter()
    report = import_run(
        workspace=workspace,
        actor=None,
        table=open_table(path),
        options=Options(usage="email"),
        progress=lambda rows: rows % 100_000 == 0 and print(f"  … {rows:,}", flush=True),
    )
    elapsed = time.perf_counter() - started
    print(report.summary())
    bare = bare_load(path)
    ours, theirs = arguments.size / elapsed, arguments.size / bare
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import: {ours:,.0f} rows/s ({elapsed:.1f} s)")
    print(f"bare:   {theirs:,.0f} rows/s ({bare:.1f} s)")
    print(f"ratio:  {ours / theirs:.1%}   peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
