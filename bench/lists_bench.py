"""Benchmark: customer lists built from a search over N customers (default 1,000,000).

    .venv/bin/python bench/lists_bench.py --size 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lists_bench \
        .venv/bin/python bench/lists_bench.py

Loads N customers with bulk inserts (realistic gaps: a fifth without email, some bounced
or opted out, a third without phone, some without an address, 2% void, 1% deleted),
suppressions on ~5% and traits on ~30%, then times, with the median and p95 of several
repetitions:

  (a) the wizard's count: `rules.eligible(search, rule).count()` (and the confirmation
      page's `rules.counts`, one pass with every reason);
  (b) building the list: `services.list_add_customers`;
  (c) the same count and build as hand-written SQL, for the ratio.

On SQLite it uses its own file (/tmp/patron-lists-bench.sqlite3, kept between runs of the
same size); on PostgreSQL the database of DATABASE_URL, which it empties first.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:////tmp/patron-lists-bench.sqlite3"

import django

django.setup()

from bulk import customer_columns_and_defaults, insert_rows  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from patron.customers.models import Customer  # noqa: E402
from patron.lists import rules, services  # noqa: E402
from patron.lists.models import CustomerList, ListEntry  # noqa: E402
from patron.marketing.models import (  # noqa: E402
    CustomerTrait,
    Suppression,
    SuppressionType,
    Trait,
)
from patron.workspaces.models import Workspace  # noqa: E402

SUPPRESSION_NAMES = ["Do not email", "Do not mail", "Do not phone", "Deceased", "Competitor"]


def _wipe(workspace: Workspace) -> None:
    """Delete an earlier run's data with plain DELETEs (the ORM would read every row)."""
    db = Customer.objects.db
    for model in (Suppression, CustomerTrait):
        model.objects.filter(workspace=workspace)._raw_delete(db)
    ListEntry.objects.filter(customer_list__workspace=workspace)._raw_delete(db)
    Customer.objects.filter(workspace=workspace)._raw_delete(db)
    workspace.delete()


def load(size: int) -> Workspace:
    workspace = Workspace.objects.filter(slug="bench").first()
    if workspace and Customer.objects.filter(workspace=workspace).count() == size:
        print(f"Reusing {size:,} customers already loaded.")
        return workspace
    print(f"Loading {size:,} customers...", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        if workspace:
            _wipe(workspace)
        workspace = Workspace.objects.create(name="Bench", slug="bench")
        SuppressionType.objects.get_or_create(workspace=workspace, name="Competitor")
    random.seed(4)
    columns, defaults = customer_columns_and_defaults()
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    defaults.update(workspace_id=workspace.pk, created_at=stamp, updated_at=stamp)

    def customers():
        for n in range(1, size + 1):
            roll = random.random()
            row = dict(defaults)
            row.update(
                number=n,
                first_name=f"First{n % 977}",
                last_name=f"Last{n}",
                name_key=f"last{n} first{n % 977}",
                given_name_key=f"first{n % 977} last{n}",
                customer_type=random.choice(["prospect", "customer", "account"]),
                city=random.choice(["Leeds", "York", "Bath", ""]),
                postcode=f"AB{n % 90} {n % 9}CD" if roll < 0.8 else "",
                address_1=f"{n} High Street" if roll < 0.9 else "",
                email=f"c{n}@example.com" if random.random() < 0.8 else "",
                mobile_phone=f"+44791{n:07d}" if random.random() < 0.55 else "",
                home_phone=f"+44207{n:07d}" if random.random() < 0.2 else "",
                marketing_opt_out=random.random() < 0.05,
                email_invalid_since=stamp if random.random() < 0.03 else None,
                status="void" if random.random() < 0.02 else "active",
                deleted_at=stamp if random.random() < 0.01 else None,
            )
            yield [row[c] for c in columns]

    with transaction.atomic():
        insert_rows(Customer._meta.db_table, columns, customers())
        first = Customer.objects.filter(workspace=workspace).order_by("pk").first().pk
        types = [
            SuppressionType.objects.get(workspace=workspace, name=n) for n in SUPPRESSION_NAMES
        ]
        traits = [
            Trait.objects.get_or_create(workspace=workspace, name=n)[0]
            for n in ("Golfer", "Sailor", "Owns a car")
        ]
        ids = range(first, first + size)
        suppressed = random.sample(ids, size // 20)
        insert_rows(
            Suppression._meta.db_table,
            [
                "workspace_id",
                "customer_id",
                "suppression_type_id",
                "date",
                "note",
                "created_at",
                "updated_at",
            ],
            (
                [workspace.pk, pk, random.choice(types).pk, now.date(), "", stamp, stamp]
                for pk in suppressed
            ),
        )
        # Golfer on 30%, Sailor on 10%, Owns a car on 30%: the first two overlap by chance.
        trait_rows = (
            [workspace.pk, pk, trait.pk, stamp, stamp]
            for trait, share in zip(traits, (0.3, 0.1, 0.3), strict=True)
            for pk in random.sample(ids, int(size * share))
        )
        insert_rows(
            CustomerTrait._meta.db_table,
            ["workspace_id", "customer_id", "trait_id", "created_at", "updated_at"],
            trait_rows,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Loaded in {time.perf_counter() - started:.0f} s.", flush=True)
    return workspace


def timed(function, repeat: int) -> tuple[float, float, object]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - started)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, result


def bare_sql(workspace, customer_list, types, trait_ids):
    """The rule for an email list (suppressions of `types`, traits `trait_ids`) as one
    would write it by hand for each database: traits as semi-joins; suppressions as NOT IN
    on SQLite, NOT EXISTS (a hash anti-join) on PostgreSQL; only suppressions in force
    (dated today or earlier) count."""
    marks = ", ".join(str(t) for t in types)
    today = f"'{timezone.localdate().isoformat()}'"
    traits = " ".join(
        f"AND c.id IN (SELECT t.customer_id FROM marketing_customertrait t "
        f"WHERE t.trait_id = {trait_id})"
        for trait_id in trait_ids
    )
    if connection.vendor == "postgresql":
        suppressions = (
            "NOT EXISTS (SELECT 1 FROM marketing_suppression s WHERE s.customer_id = c.id "
            f"AND s.suppression_type_id IN ({marks}) AND s.date <= {today})"
        )
    else:
        suppressions = (
            "c.id NOT IN (SELECT s.customer_id FROM marketing_suppression s "
            f"WHERE s.suppression_type_id IN ({marks}) AND s.date <= {today})"
        )
    where = (
        f"c.workspace_id = {workspace.pk} AND c.deleted_at IS NULL AND c.status <> 'void' "
        "AND c.archived_at IS NULL AND c.email <> '' AND c.email_invalid_since IS NULL "
        f"AND NOT c.marketing_opt_out AND {suppressions} {traits}"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    def count():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM customers_customer c WHERE {where}")
            return cursor.fetchone()[0]

    def build():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO lists_listentry (customer_list_id, customer_id, added_at, via) "
                f"SELECT {customer_list.pk}, c.id, %s, 'search' FROM customers_customer c "
                f"WHERE {where}",
                [now],
            )
            return cursor.rowcount

    return count, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="customers (1,000,000)")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions of each timing")
    args = parser.parse_args()

    print(f"Database: {connection.vendor}; migrating...", flush=True)
    call_command("migrate", verbosity=0)
    workspace = load(args.size)
    golfer = Trait.objects.get(workspace=workspace, name="Golfer")
    sailor = Trait.objects.get(workspace=workspace, name="Sailor")
    competitor = SuppressionType.objects.get(workspace=workspace, name="Competitor")
    CustomerList.objects.filter(workspace=workspace).delete()
    customer_list = services.list_create(
        workspace=workspace,
        actor=None,
        data={
            "name": "Bench",
            "usage": CustomerList.Usage.EMAIL,
            "suppressions": [competitor],
            "traits": [golfer],
        },
        via="bench",
    )
    rule = rules.as_rule(customer_list)
    rule_two_traits = rules.Rule(
        workspace_id=workspace.pk,
        usage=rule.usage,
        suppression_type_ids=rule.suppression_type_ids,
        trait_ids=frozenset({golfer.pk, sailor.pk}),
    )
    search = Customer.objects.in_workspace(workspace).current().filter(archived_at__isnull=True)
    type_ids = list(rules.blocking_types(rule).values_list("pk", flat=True))

    def empty():
        ListEntry.objects.filter(customer_list=customer_list)._raw_delete(ListEntry.objects.db)

    def build():
        empty()
        return services.list_add_customers(
            customer_list=customer_list, customers=search, actor=None, channel="bench"
        )

    bare_count, bare_build_only = bare_sql(workspace, customer_list, type_ids, [golfer.pk])
    bare_count_two, _ = bare_sql(workspace, customer_list, type_ids, [golfer.pk, sailor.pk])

    def bare_build():
        empty()
        return bare_build_only()

    measures = [
        ("count, 1 trait", lambda: rules.eligible(search, rule).count(), bare_count),
        (
            "count, 2 traits",
            lambda: rules.eligible(search, rule_two_traits).count(),
            bare_count_two,
        ),
        ("counts with reasons", lambda: rules.counts(search, rule)["eligible"], bare_count),
        ("build list", lambda: build()[0], bare_build),
    ]
    print(
        f"\n{args.size:,} customers on {connection.vendor}, {args.repeat} runs each "
        f"(median / p95 in ms)\n"
    )
    print(f"{'operation':<22}{'Patron':>18}{'bare SQL':>18}{'ratio':>8}{'rows':>10}")
    for label, patron_fn, bare_fn in measures:
        median, p95, rows = timed(patron_fn, args.repeat)
        bare_median, bare_p95, bare_rows = timed(bare_fn, args.repeat)
        assert rows == bare_rows, (label, rows, bare_rows)
        print(
            f"{label:<22}{median * 1000:>9.0f} / {p95 * 1000:<6.0f}"
            f"{bare_median * 1000:>9.0f} / {bare_p95 * 1000:<6.0f}"
            f"{median / bare_median:>8.2f}{rows:>10,}"
        )
    empty()


if __name__ == "__main__":
    main()
