"""Benchmark: importing a customer CSV against the bare database loading the same file.

    .venv/bin/python bench/import_bench.py --size 100000 --bad
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/import_bench \
        .venv/bin/python bench/import_bench.py --size 100000 --bad

Writes a realistic CSV of --size rows and 20 columns (and, with --bad, the same file with
1% of its rows bad: an email with nothing after the @), then for each file empties the
database, loads --existing customers into a workspace (rows like the file's, stored as
Patron stores them; a tenth of the file's rows are among them, found by email, with a new
job title) and times:

  (a) `importing.import_run` with validation, normalization and matching on email, in a
      process of its own, so its peak RSS (getrusage's ru_maxrss) is the import's and not
      the file generation's or the loading of existing customers;
  (b) the bare database loading the same file into an equivalent table (an id and 20
      varchar(254) columns, logged like the customer table, no other index): SQLite one
      transaction of `executemany`, PostgreSQL `COPY ... FROM STDIN (FORMAT csv)` through
      psycopg's copy;
  (c) the same bare load into a copy of the customer table made from the real schema (its
      indexes, constraints and triggers), holding the same existing customers first
      (untimed), so that it meets indexes of the same size as the import.

Prints rows per second of both, their ratio, the import's peak RSS (and how much of it the
process held before the import began: Python and Django) every 100,000 rows and at the
end, and with --bad the extra time the bad rows cost and how many were reported. Each
time comes with the CPU seconds of the process that did the work: on a machine shared
with other work, wall times swing, CPU seconds much less (on SQLite the database's work
is in them; on PostgreSQL the server's is not). Issue 5 asks 40% of the bare load on SQLite,
30% of COPY on PostgreSQL, under 300 MB, and at most 10% extra time for 1% bad rows.

The database must be one of its own, with "bench" in its name: it is emptied (flush).
SQLite by default: a file of this run's own in /tmp, deleted at the end (as are the CSV
files); PostgreSQL's database is created if it does not exist.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
# Files of this run only: two runs at once (helpers share a machine) must not empty each
# other's database or rewrite each other's file.
RUN_FILES = f"/tmp/patron-import-bench-{os.getpid()}"
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{RUN_FILES}.sqlite3"

import django  # noqa: E402

HEADERS = [
    "Title", "First name", "Middle name", "Last name", "Date of birth", "Company name",
    "Job title", "Address 1", "Address 2", "City", "State", "Postcode", "Country", "Email",
    "Work phone", "Home phone", "Mobile phone", "Gender", "Customer type", "Ext. ref.",
]  # fmt: skip
CITIES = ["Leeds", "London", "York", "Bath", "Hull", "Derby", "Ely", "Wells"]
WORKSPACE = "import-bench"
JOB_TITLE = HEADERS.index("Job title")
BAD_EVERY = 100  # 1% of rows


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
        f"07123 {n % 1_000_000:06d}",  # all valid (07911 4xxxxx, 5xxxxx... are not)
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


def ensure_database() -> None:
    """Create the PostgreSQL database named by DATABASE_URL if it is missing."""
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in settings["ENGINE"]:
        return
    server = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not found:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def cells_to_columns(columns: list[str], defaults: dict):
    """A function putting a file row's cells in a customer table row (a list in `columns`'
    order) numbered as asked: each cell in its column as it comes, a choice's words
    turned into its stored value (as the column needs), the other columns at `defaults`."""
    from patron.customers.models import Customer
    from patron.exchange.importing import _choice
    from patron.exchange.mapping import resolve

    template = [defaults[column] for column in columns]
    position = {column: offset for offset, column in enumerate(columns)}
    number = position["number"]
    placed = []  # (cell index, column position, {cell text: stored value} or None)
    for index, name in resolve(HEADERS).items():
        field = Customer._meta.get_field(name)
        choices = None
        if field.choices:
            choices = {"": defaults[field.column]}
            for cell in {row(n, False)[index] for n in range(60)}:
                if cell:
                    choices[cell] = _choice(name, cell)
        placed.append((index, position[field.column], choices))

    def fill(cells: list[str], count: int) -> list:
        values = template.copy()
        values[number] = count
        for index, column, choices in placed:
            cell = cells[index]
            if choices is not None:
                values[column] = choices[cell]
            elif cell:
                values[column] = cell
        return values

    return fill


def prepare(existing: int, file_size: int):
    """An empty database holding one workspace with `existing` customers, numbered like
    the file's rows from a tenth of the way in: some of the file's rows match them by
    email (the file has a new job title for them), the rest are other people. Each is a
    row of the same kind as the file's, all its columns filled, stored as Patron stores a
    customer typed into the form (email and phones normalized, name keys, its store), so
    the table's indexes are the size a real workspace's would be. Loaded past the ORM
    (bench/bulk.py), the email search index filled once at the end, then ANALYZE."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.bulk import customer_columns_and_defaults, insert_rows
    from patron.core.models import Sequence
    from patron.customers import search_index
    from patron.customers.models import Customer
    from patron.customers.normalize import name_key, normalize_email, normalize_phone
    from patron.workspaces.models import Store, Workspace

    call_command("flush", interactive=False, verbosity=0)
    workspace = Workspace.objects.create(name="Import bench", slug=WORKSPACE)
    store = Store.objects.create(workspace=workspace, name="Main store")
    region = workspace.default_region
    start = file_size - file_size // 10
    columns, defaults = customer_columns_and_defaults()
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    defaults.update(workspace_id=workspace.pk, created_at=stamp, updated_at=stamp, is_external=True)
    fill = cells_to_columns(columns, defaults)
    at = {column: offset for offset, column in enumerate(columns)}
    phones = [at[name] for name in Customer.PHONE_FIELDS if name in at]
    first, middle, last = at["first_name"], at["middle_name"], at["last_name"]

    def customers():
        for offset in range(existing):
            cells = row(start + offset, False)
            cells[JOB_TITLE] = "Trainee"  # the file says "Clerk": their rows update them
            values = fill(cells, offset + 1)
            values[at["email"]] = normalize_email(values[at["email"]])
            for phone in phones:
                values[phone] = normalize_phone(values[phone], region)
            names = values[first], values[middle], values[last]
            values[at["name_key"]] = name_key(names[2], names[0], names[1])[:300]
            values[at["given_name_key"]] = name_key(*names)[:300]
            values[at["company_key"]] = name_key(values[at["company_name"]])[:200]
            yield values

    search_index.drop(connection)
    with transaction.atomic():
        insert_rows(Customer._meta.db_table, columns, customers())
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO customers_customer_stores (customer_id, store_id) "
                "SELECT id, %s FROM customers_customer WHERE workspace_id = %s",
                [store.pk, workspace.pk],
            )
    search_index.ensure(connection)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    Sequence.objects.update_or_create(
        workspace=workspace, name="customer", defaults={"last_value": existing}
    )


def bare_load(path: Path) -> tuple[float, float]:
    from django.db import connection, transaction

    postgres = connection.vendor == "postgresql"
    names = ", ".join(f"c{i}" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bare_import")
        columns = ", ".join(f"c{i} varchar(254)" for i in range(len(HEADERS)))
        key = "id bigserial primary key" if postgres else "id integer primary key"
        cursor.execute(f"CREATE TABLE bare_import ({key}, {columns})")
    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
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
            with path.open(newline="", encoding="utf-8") as file:
                reader = csv.reader(file)
                next(reader)
                cursor.executemany(f"INSERT INTO bare_import ({names}) VALUES ({marks})", reader)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bare_import")
    return elapsed, cpu


BARE_TABLE = "bare_customer"


def create_equivalent_table() -> int:
    """A copy of the customer table made from the real schema in the same database: its
    columns, constraints, foreign keys, indexes and triggers (on SQLite also the email
    search's FTS5 table its triggers fill; on PostgreSQL the trigram index comes with
    the other indexes). How many indexes it has."""
    from django.db import connection

    source = "customers_customer"
    drop_equivalent_table()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {BARE_TABLE} (LIKE {source} INCLUDING ALL)")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [source],
            )
            for name, definition in cursor.fetchall():
                definition = definition.replace(source, BARE_TABLE)
                cursor.execute(
                    f'ALTER TABLE {BARE_TABLE} ADD CONSTRAINT "bare_{name}" {definition}'
                )
            cursor.execute(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [source],
            )
            for name, definition in cursor.fetchall():
                definition = definition.replace(f" ON {source} ", f" ON {BARE_TABLE} ")
                cursor.execute(definition.replace(name, f"bare_{name}", 1))
            cursor.execute(
                "SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [BARE_TABLE]
            )
            return cursor.fetchone()[0]
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
            "(tbl_name = %s OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%%' "
            "AND sql LIKE %s))",
            [source, f"%content='{source}'%"],
        )
        order = {"table": 0, "index": 1, "trigger": 2}
        objects = sorted(cursor.fetchall(), key=lambda item: order.get(item[0], 3))
        indexes = 0
        for kind, name, sql in objects:
            if kind == "index":
                indexes += 1
                sql = sql.replace(f'"{name}"', f'"bare_{name}"', 1)
            cursor.execute(sql.replace(source, BARE_TABLE))
        # Its UNIQUE constraints' own indexes.
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NULL",
            [BARE_TABLE],
        )
        return indexes + cursor.fetchone()[0]


def drop_equivalent_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}_email_fts")


def bare_customer_load(path: Path, existing: int) -> tuple[float, float, int]:
    """The same file into the customer table's equivalent, holding (put there first,
    untimed) the same existing customers as the import's table, so both meet indexes of
    the same size: each row's cells put in their columns as they come (no validation, no
    normalization: a choice's words are turned into its stored value by a lookup, as the
    column needs), the other columns at their defaults, numbered on from the existing
    customers: one transaction of executemany on SQLite, COPY on PostgreSQL. (seconds,
    CPU seconds, indexes on the table)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.bulk import customer_columns_and_defaults
    from patron.workspaces.models import Workspace

    indexes = create_equivalent_table()
    columns, defaults = customer_columns_and_defaults()
    workspace = Workspace.objects.get(slug=WORKSPACE).pk
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        # The workspace's customers as they were before the import: numbered up to
        # `existing` (the import's new ones come after; its updates change no index's size).
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} ({quoted}) SELECT {quoted} FROM customers_customer "
            "WHERE workspace_id = %s AND number <= %s ORDER BY id",
            [workspace, existing],
        )
        cursor.execute(f"ANALYZE {BARE_TABLE}")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    defaults.update(workspace_id=workspace, created_at=now, updated_at=now)
    fill = cells_to_columns(columns, defaults)

    def rows():
        with path.open(newline="", encoding="utf-8") as file:
            reader = csv.reader(file)
            next(reader)
            for count, cells in enumerate(reader, start=existing + 1):
                yield fill(cells, count)

    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {BARE_TABLE} ({quoted}) FROM STDIN") as copy:
                for values in rows():
                    copy.write_row(values)
        else:
            marks = ", ".join("%s" for _ in columns)
            cursor.executemany(f"INSERT INTO {BARE_TABLE} ({quoted}) VALUES ({marks})", rows())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    drop_equivalent_table()
    return elapsed, cpu, indexes


def one_by_one(path: Path, rows: int) -> tuple[float, float, int, int]:
    """The file's first `rows` rows imported as a plain Django import would: a row at a
    time, looked up by email, then created through the customer form's service
    (`customer_create`: full_clean, the next customer no., its stores, History), each its
    own transaction. Into a workspace of its own in the same tables, so it meets the same
    indexes and none of its rows match. (seconds, CPU seconds, created, refused)."""
    from itertools import islice

    from django.core.exceptions import ValidationError

    from patron.customers.models import Customer
    from patron.customers.normalize import normalize_email
    from patron.customers.services import customer_create
    from patron.exchange.importing import CHOICE_FIELDS, _choice
    from patron.exchange.mapping import resolve
    from patron.workspaces.models import Store, Workspace

    workspace = Workspace.objects.create(name="One at a time", slug=f"{WORKSPACE}-one")
    Store.objects.create(workspace=workspace, name="Main store")
    fields = resolve(HEADERS)
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        next(reader)
        sample = list(islice(reader, rows))
    created = refused = 0
    started, cpu = time.perf_counter(), time.process_time()
    for cells in sample:
        data = {}
        try:
            for index, name in fields.items():
                if cell := cells[index]:
                    data[name] = _choice(name, cell) if name in CHOICE_FIELDS else cell
            email = normalize_email(data.get("email", ""))
            if email and Customer.objects.filter(workspace=workspace, email=email).exists():
                continue
            customer_create(workspace=workspace, actor=None, data=data, via="import")
            created += 1
        except ValidationError:
            refused += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, created, refused


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM counts this program only;
    getrusage's ru_maxrss keeps the parent's peak across fork and exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(path: Path) -> None:
    """Run in a process of its own: import the file, print the figures as JSON."""
    from patron.exchange.importing import Options, import_run
    from patron.exchange.reading import open_table
    from patron.workspaces.models import Workspace

    workspace = Workspace.objects.get(slug=WORKSPACE)
    before = peak_rss_mb()
    rss_at: dict[int, float] = {}  # the peak so far every 100,000 rows: flat, or growing?

    def progress(rows: int) -> None:
        if rows % 100_000 == 0:
            rss_at[rows] = peak_rss_mb()
            print(f"  … {rows:,} rows, peak RSS {rss_at[rows]:.0f} MB", file=sys.stderr)

    started, cpu = time.perf_counter(), time.process_time()
    report = import_run(
        workspace=workspace,
        actor=None,
        table=open_table(path),
        options=Options(usage="email"),
        progress=progress,
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the import's reading process
    peak = peak_rss_mb()
    figures = {
        "elapsed": elapsed,
        "cpu": cpu,
        "cpu_reader": children.ru_utime + children.ru_stime,
        "summary": report.summary(),
        "failed": report.failed,
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "rss_reader_mb": children.ru_maxrss / 1024,
        "rss_at": rss_at,
    }
    print(json.dumps(figures))


def timed_import(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child-import", str(path)],
        stdout=subprocess.PIPE,
        check=True,
        text=True,
        env=os.environ,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(label: str, path: Path, size: int, existing: int, sample: int = 0) -> dict:
    prepare(existing, size)
    figures = timed_import(path)
    bare, bare_cpu = bare_load(path)
    equivalent, equivalent_cpu, indexes = bare_customer_load(path, existing)
    single = one_by_one(path, min(sample, size)) if sample else None
    ours, plain, alike = size / figures["elapsed"], size / bare, size / equivalent
    print(f"{label} file: {figures['summary']}")
    elapsed, cpu = figures["elapsed"], figures["cpu"]
    reader = figures["cpu_reader"]
    print(
        f"  import:                {ours:>9,.0f} rows/s ({elapsed:.1f} s; {cpu:.1f} s CPU"
        + (f" + {reader:.1f} s CPU in its second process preparing the batches" if reader else "")
        + ")"
    )
    print(
        f"  bare, plain table:     {plain:>9,.0f} rows/s ({bare:.1f} s; {bare_cpu:.1f} s CPU)"
        f"   ratio {ours / plain:.1%} (CPU: {bare_cpu / cpu:.1%})"
    )
    print(
        f"  bare, customer table:  {alike:>9,.0f} rows/s ({equivalent:.1f} s; "
        f"{equivalent_cpu:.1f} s CPU)   ratio {ours / alike:.1%} (CPU: {equivalent_cpu / cpu:.1%})"
        f"\n    (the customer table's equivalent: its columns, constraints, {indexes} indexes "
        "and triggers)"
    )
    print(
        f"  peak RSS of the import: {figures['rss_peak_mb']:.0f} MB "
        f"({figures['rss_before_mb']:.0f} MB before it began; its second process "
        f"{figures['rss_reader_mb']:.0f} MB)",
        flush=True,
    )
    if single:
        seconds, single_cpu, created, refused = single
        rate = (created + refused) / seconds
        print(
            f"  a row at a time:       {rate:>9,.0f} rows/s ({seconds:.1f} s; {single_cpu:.1f} s "
            f"CPU for the first {created + refused:,} rows, {created:,} created through "
            f"customer_create)\n    = {rate / plain:.2%} of the plain table's bare load, "
            f"{rate / alike:.2%} of the customer table's (CPU a row: "
            f"{single_cpu / (created + refused) * 1e6:,.0f} us; the import: "
            f"{(cpu + reader) / size * 1e6:,.0f} us in its two processes)"
        )
    if figures["rss_at"]:
        steps = ", ".join(f"{mb:.0f} MB at {int(rows):,}" for rows, mb in figures["rss_at"].items())
        print(f"  peak RSS as the file goes on: {steps} rows", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--existing", type=int, default=None, help="default: --size")
    parser.add_argument("--bad", action="store_true", help="also a file with 1%% bad rows")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="import each file N times (alternating) and compare the best times: the first "
        "import pays for a fresh database file and cold caches",
    )
    parser.add_argument(
        "--one-at-a-time",
        type=int,
        default=1000,
        metavar="N",
        help="also import the clean file's first N rows a row at a time through the customer "
        "form's service, for scale (0: not)",
    )
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child_import is None:
        ensure_database()
    django.setup()
    if arguments.child_import is not None:
        child_import(arguments.child_import)
        return

    from django.core.management import call_command
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        sys.exit(f"{name}: use a database of its own, with 'bench' in its name (it is emptied).")
    call_command("migrate", verbosity=0)
    existing = arguments.size if arguments.existing is None else arguments.existing
    size = arguments.size
    bare = "COPY" if connection.vendor == "postgresql" else "executemany"
    print(
        f"{size:,} rows of {len(HEADERS)} columns into a workspace of {existing:,} customers "
        f"({connection.vendor}; bare: {bare} into a logged table)",
        flush=True,
    )
    clean_path, bad_path = Path(f"{RUN_FILES}.csv"), Path(f"{RUN_FILES}-bad.csv")
    files = {"Clean": clean_path}
    if arguments.bad:
        files["1% bad rows"] = bad_path
    try:
        write_file(clean_path, size, 0)
        if arguments.bad:
            write_file(bad_path, size, BAD_EVERY)
        best: dict[str, dict] = {}
        for _ in range(max(1, arguments.repeat)):
            for label, path in files.items():
                sample = arguments.one_at_a_time if label == "Clean" and not best else 0
                figures = measure(label, path, size, existing, sample)
                if label not in best or figures["elapsed"] < best[label]["elapsed"]:
                    best[label] = figures
        if arguments.repeat > 1:
            for label, figures in best.items():
                print(
                    f"Best of {arguments.repeat}, {label}: {size / figures['elapsed']:,.0f} rows/s"
                )
        if arguments.bad:
            clean, bad = best["Clean"], best["1% bad rows"]
            expected = len(range(7, size, BAD_EVERY))
            print(
                f"1% bad rows cost {bad['elapsed'] / clean['elapsed'] - 1:+.1%} time; "
                f"{bad['failed']:,} rows reported failed of {expected:,} bad."
            )
    finally:
        clean_path.unlink(missing_ok=True)
        bad_path.unlink(missing_ok=True)
        if name == f"{RUN_FILES}.sqlite3":  # this run's own database
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
