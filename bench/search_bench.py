"""Benchmark: global search and the customer list over N customers (default 1,000,000).

    .venv/bin/python bench/search_bench.py --size 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/search_bench \
        .venv/bin/python bench/search_bench.py

Loads N customers with bulk inserts (names from a few thousand surnames and a few hundred
first names, some accented; 5% organizations; a third of the people with an employer;
emails first.last@ or firstlast123@ at a common or the employer's domain, a fifth without;
UK mobiles and landlines; 1% deleted, 1% archived; on PostgreSQL then VACUUMed, as
autovacuum would), then times, over --repeat searches each
for a different customer:

- the request floor: a request around next to no query (the API's list of the workspace's
  tags, the type-ahead with nothing typed);
- each search type (exact email, phone typed nationally, customer no., name prefix, full
  name, substring of email, fuzzy name, company) through the API (`?q=`, 10 results) and
  the banner's type-ahead page (8 results), server time with Django's test Client;
- the customer list sorted by each column, page 1 and a deep page (page 10,000 by cursor),
  through the API and the list page (50 rows);
- and the same reads as bare SQL written by hand, in the same run.

It prints p50/p95/p99 in ms and the ratio of p95s to bare SQL, and the same for the CPU time
of this process (with SQLite, the database's work too; with PostgreSQL, not the server's).
On SQLite it uses its own file (/tmp/patron-search-bench.sqlite3, kept between runs of the
same size, or DATABASE_URL's); on PostgreSQL the database of DATABASE_URL (which must have
"bench" in its name).
"""

import argparse
import gc
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:////tmp/patron-search-bench.sqlite3"

import django

django.setup()

from bulk import customer_columns_and_defaults, insert_rows  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from patron.api.models import ApiToken  # noqa: E402
from patron.core import keyset, serving  # noqa: E402
from patron.customers import search_index  # noqa: E402
from patron.customers.filters import SORTABLE  # noqa: E402
from patron.customers.models import Customer  # noqa: E402
from patron.customers.normalize import display_phone, name_key, one_edit_away  # noqa: E402
from patron.workspaces.models import Membership, User, Workspace  # noqa: E402

DEEP_PAGE = 10_000
FIRST = [
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan",
    "Jessica", "Sarah", "Karen", "José", "María", "Zoë", "Chloé", "Renée", "André", "Søren",
    "Björn", "Ángel", "Noël", "Olivia", "Amelia", "Isla", "Ava", "Mia", "Oliver", "George",
    "Harry", "Jack", "Leo", "Arthur", "Oscar", "Grace", "Ada", "Alan", "Tim", "Emma", "Sophie",
]  # fmt: skip
REAL_LAST = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Núñez", "García", "Müller", "Ødegård", "O'Brien", "Lovelace", "Hopper", "Turing",
]  # fmt: skip
SYLLABLES = [
    "ab", "ar", "ber", "by", "car", "den", "dor", "el", "en", "far", "gan", "ham", "hol",
    "ing", "kin", "lam", "ley", "lin", "mar", "mor", "ner", "ny", "or", "pen", "ton", "ros",
    "sel", "son", "ter", "vin", "wal", "well", "win", "wood", "yer", "ric", "bur", "tan",
]  # fmt: skip
DOMAINS = ["gmail.com", "outlook.com", "yahoo.co.uk", "hotmail.com", "btinternet.com"]
CITIES = ["London", "Leeds", "York", "Bath", "Bristol", "Cardiff", "Derby", "Hull", ""]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[str]]:
    made = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        for _ in range(6000)
    }
    surnames = REAL_LAST + sorted(made - set(REAL_LAST))
    companies = sorted(
        {
            f"{rng.choice(surnames)} {rng.choice(['& Sons', 'Trading', 'Holdings', 'Group'])}"
            f"{rng.choice([' Ltd', ' plc', ' LLP', ''])}"
            for _ in range(8000)
        }
    )
    return surnames, companies


def load(size: int) -> Workspace:
    workspace = Workspace.objects.filter(slug="bench").first()
    if workspace and Customer.objects.filter(workspace=workspace).count() == size:
        print(f"Reusing {size:,} customers already loaded.")
        vacuum()  # loaded by an older version of this script, perhaps never vacuumed
        return workspace
    print(f"Loading {size:,} customers...", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        if workspace:
            Customer.objects.filter(workspace=workspace)._raw_delete(Customer.objects.db)
            Membership.objects.filter(workspace=workspace).delete()
            workspace.delete()
        workspace = Workspace.objects.create(name="Bench", slug="bench", default_region="GB")
    rng = random.Random(6)
    surnames, companies = _vocabulary(rng)
    weights = [1 / (rank + 20) for rank in range(len(surnames))]
    columns, defaults = customer_columns_and_defaults()
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    defaults.update(workspace_id=workspace.pk, updated_at=stamp)
    base = time.time() - 5 * 365 * 86400

    def customers():
        chosen = iter(rng.choices(surnames, weights, k=size))
        for n in range(1, size + 1):
            row = dict(defaults)
            last = next(chosen)
            first = rng.choice(FIRST)
            company = rng.choice(companies) if rng.random() < 0.35 else ""
            if rng.random() < 0.05:  # an organization
                company = rng.choice(companies)
                row.update(kind="organization", company_name=company)
                row["name_key"] = row["given_name_key"] = row["company_key"] = name_key(company)
                local = rng.choice(["info", "sales", "accounts"])
            else:
                row.update(first_name=first, last_name=last, company_name=company)
                row["name_key"] = name_key(last, first)
                row["given_name_key"] = name_key(first, last)
                row["company_key"] = name_key(company)
                plain = name_key(first).replace(" ", ""), name_key(last).replace(" ", "")
                local = (
                    f"{plain[0]}.{plain[1]}"
                    if rng.random() < 0.6
                    else f"{plain[0]}{plain[1]}{rng.randrange(1000)}"
                )
            domain = (
                name_key(company.split()[0]).replace("'", "") + ".co.uk"
                if company and rng.random() < 0.5
                else rng.choice(DOMAINS)
            )
            created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(base + n * 150))
            row.update(
                number=n,
                email=f"{local}@{domain}" if rng.random() < 0.8 else "",
                mobile_phone=f"+447{rng.randrange(700000000, 999999999)}"
                if rng.random() < 0.6
                else "",
                work_phone=f"+44113{n * 7919 % 10_000_000:07d}" if n % 7 == 3 else "",
                home_phone=f"+4420{rng.randrange(70000000, 89999999)}"
                if rng.random() < 0.25
                else "",
                city=rng.choice(CITIES),
                postcode=f"{rng.choice('ABLMNS')}{rng.choice('ABCDEFGHKLMNPRSTW')}"
                f"{rng.randrange(1, 30)} {rng.randrange(10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                customer_type=rng.choice(["prospect", "customer", "account"]),
                status="void" if rng.random() < 0.02 else "active",
                created_at=created + ("+00:00" if connection.vendor == "postgresql" else ""),
                deleted_at=stamp if rng.random() < 0.01 else None,
                archived_at=stamp if rng.random() < 0.01 else None,
            )
            yield [row[c] for c in columns]

    search_index.drop(connection)  # filled once at the end, not row by row
    with transaction.atomic():
        insert_rows(Customer._meta.db_table, columns, customers())
    print(f"  rows in {time.perf_counter() - started:.0f} s; indexing...", flush=True)
    search_index.ensure(connection)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    vacuum()
    print(f"Loaded in {time.perf_counter() - started:.0f} s.", flush=True)
    return workspace


def vacuum() -> None:
    """PostgreSQL: VACUUM the customers, as autovacuum does in a server soon after a bulk
    load, so that index-only scans read the index alone. Without it (a server with
    autovacuum off, or one that has not got round to it yet) each row a search's index
    gives is also read from the table ("Heap Fetches"): a name prefix's count of 1,001
    took 19 ms instead of 0.3."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Customer._meta.db_table}")


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000

    return at(0.5), at(0.95), at(0.99)


class CollectorWatch:
    """The garbage collector's passes over the older generations (1 and 2) that run while a
    timed call runs, with their CPU: what lands in a request's time."""

    def __init__(self):
        self.timing = False
        self.passes = {1: [], 2: []}  # generation: CPU seconds of each pass
        gc.callbacks.append(self._observe)

    def _observe(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.process_time()
        elif self.timing and info["generation"] > 0:
            self.passes[info["generation"]].append(time.process_time() - self._started)


collector = CollectorWatch()


def timed(function, arguments: list, between=None) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each call: the CPU of this process, so on SQLite the database's
    too (steadier than wall time on a shared machine), on PostgreSQL not the server's.
    `between`, if given, runs after each call, untimed (what a server does after sending)."""
    samples = []
    for argument in arguments:
        collector.timing = True
        started, cpu = time.perf_counter(), time.process_time()
        function(argument)
        samples.append((time.perf_counter() - started, time.process_time() - cpu))
        collector.timing = False
        if between:
            between()
    return samples


def bare(sql: str):
    """A function running `sql` with its parameters and fetching every row."""

    def run(params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def search_texts(sample: list[Customer], region: str) -> dict[str, list]:
    """For each search type, what a user would type to find each sampled customer, and the
    parameters of the bare query."""
    rng = random.Random(9)
    people = [c for c in sample if c.kind == "person"]
    with_email = [c for c in people if c.email]
    with_phone = [c for c in people if c.mobile_phone]
    employed = [c for c in people if c.company_key]

    def typo(text: str) -> str:
        i = rng.randrange(1, len(text.split()[0]) - 1)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]

    def variants(key: str) -> list[str]:
        short, long = one_edit_away(key)
        return sorted(short | long)

    top = "\U0010ffff"
    return {
        "exact email": [(c.email, [c.email]) for c in with_email],
        "phone, national": [
            (display_phone(c.mobile_phone, region), [c.mobile_phone] * 3) for c in with_phone
        ],
        "customer no.": [(str(c.number), [c.number]) for c in sample],
        "name prefix": [
            (c.last_name[:4], [name_key(c.last_name[:4]), name_key(c.last_name[:4]) + top] * 2)
            for c in people
        ],
        "full name": [
            (f"{c.first_name} {c.last_name}", [c.given_name_key, c.given_name_key + top] * 2)
            for c in people
        ],
        "email substring": [
            (c.email.split("@")[0][-6:] + "@", [c.email.split("@")[0][-6:] + "@"])
            for c in with_email
        ],
        "fuzzy name": [
            (typo(c.given_name_key), [variants(typo(c.given_name_key))]) for c in people
        ],
        "company": [
            (c.company_name[:6], [name_key(c.company_name[:6]), name_key(c.company_name[:6]) + top])
            for c in employed
        ],
    }


def bare_searches(workspace: Workspace, limit: int) -> dict:
    head = (
        "SELECT c.* FROM customers_customer c WHERE c.workspace_id = {ws} "
        "AND c.deleted_at IS NULL AND c.archived_at IS NULL AND ({cond}) "
        "ORDER BY c.name_key, c.id LIMIT {limit}"
    )

    def sql(cond: str) -> str:
        return head.format(ws=workspace.pk, cond=cond, limit=limit)

    if connection.vendor == "postgresql":
        fuzzy = "c.given_name_key = ANY(%s) OR c.name_key = ANY(%s)"
        contains = "c.email LIKE '%%' || %s || '%%'"
    else:
        contains, _ = search_index.email_phrase_sql("x")  # an FTS5 phrase, as the search
        contains = "c.id IN (" + contains.replace("%s", "'\"' || %s || '\"'") + ")"
        fuzzy = (
            "c.given_name_key IN (SELECT value FROM json_each(%s)) "
            "OR c.name_key IN (SELECT value FROM json_each(%s))"
        )
    prefix = "(c.name_key >= %s AND c.name_key < %s) OR "
    prefix += "(c.given_name_key >= %s AND c.given_name_key < %s)"
    return {
        "exact email": bare(sql("c.email = %s")),
        "phone, national": bare(
            sql("c.mobile_phone = %s OR c.work_phone = %s OR c.home_phone = %s")
        ),
        "customer no.": bare(sql("c.number = %s")),
        "name prefix": bare(sql(prefix)),
        "full name": bare(sql(prefix)),
        "email substring": bare(sql(contains)),
        "fuzzy name": bare(sql(fuzzy)),
        "company": bare(sql("c.company_key >= %s AND c.company_key < %s")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="customers (1,000,000)")
    parser.add_argument("--repeat", type=int, default=100, help="searches of each type")
    parser.add_argument(
        "--freeze-gc",
        action="store_true",
        help="treat Python's garbage collector as patron.wsgi does (patron/core/serving.py): "
        "freeze what is loaded after the warm-up, and run a full collection after each "
        "request, untimed as a server runs it after sending the response; its CPU is printed",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="WORD",
        help="only the searches and lists whose label holds one of these words "
        "(e.g. --only fuzzy 'email substring' list)",
    )
    parser.add_argument("--no-lists", action="store_true", help="searches only")
    args = parser.parse_args()

    def wanted(label: str) -> bool:
        return not args.only or any(word in label for word in args.only)

    if connection.vendor == "postgresql" and "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Give a PostgreSQL database of its own, with 'bench' in its name.")

    print(f"Database: {connection.vendor}; migrating...", flush=True)
    call_command("migrate", verbosity=0)
    workspace = load(args.size)
    setup_test_environment()
    settings.STORAGES = {  # pages link static files by name, as in development
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    user = User.objects.filter(email="search-bench@example.com").first()
    user = user or User.objects.create_user(email="search-bench@example.com", password="x")
    membership, _ = Membership.objects.get_or_create(
        user=user, workspace=workspace, defaults={"role": "admin"}
    )
    _, key = ApiToken.issue(membership=membership, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    page = Client()
    page.force_login(user)
    region = workspace.default_region

    customers = Customer.objects.filter(workspace=workspace).searchable()
    step = max(1, args.size // (args.repeat * 3))
    sample = list(customers.filter(number__in=range(1, args.size + 1, step)).order_by("?"))

    rows = []  # (label, via, samples)
    print(
        f"\n{args.size:,} customers on {connection.vendor}; searches: {args.repeat} each, "
        f"lists: {max(5, args.repeat // 5)} each (ms; ratio = p95 / bare SQL's p95)\n"
    )
    print(
        f"{'query':<34}{'via':<12}{'p50':>8}{'p95':>8}{'p99':>8}{'ratio':>8}"
        f"{'cpu p50':>9}{'cpu p95':>9}{'ratio':>7}",
        flush=True,
    )

    def report(label: str) -> None:
        measured = [(via, samples) for name, via, samples in rows if name == label]
        bare_p95 = percentiles([wall for wall, _ in measured[-1][1]])[1]
        bare_cpu = percentiles([cpu for _, cpu in measured[-1][1]])[1]
        for via, samples in measured:
            p50, p95, p99 = percentiles([wall for wall, _ in samples])
            cpu50, cpu95, _ = percentiles([cpu for _, cpu in samples])
            ratio = "" if via == "bare SQL" else f"{p95 / bare_p95:.1f}"
            cpu_ratio = "" if via == "bare SQL" else f"{cpu95 / max(bare_cpu, 1e-6):.1f}"
            print(
                f"{label:<34}{via:<12}{p50:>8.1f}{p95:>8.1f}{p99:>8.1f}{ratio:>8}"
                f"{cpu50:>9.1f}{cpu95:>9.1f}{cpu_ratio:>7}",
                flush=True,
            )

    def check(response):
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response

    check(api.get("/api/v1/customers/", {"q": "warm-up"}))  # imports, URLs, templates
    check(page.get("/customers/suggest/", {"q": "warm-up"}))
    check(api.get("/api/v1/customers/"))  # a first list compiles its page's templates
    check(page.get("/customers/"))
    between = None
    if args.freeze_gc:
        serving.freeze_loaded()
        collections = []  # CPU seconds of each collection after a response

        def between():
            cpu = time.process_time()
            serving.collect_after_response()
            collections.append(time.process_time() - cpu)

    if wanted("request floor"):
        # What any request costs around its query: the API's list of the workspace's tags
        # (none or a few: authentication, the view, pagination, JSON), the type-ahead with
        # nothing typed (the session, the view, a template), and the bare read of those
        # tags. A search whose bare query takes less than this cannot come within 2-3x of it.
        runs = list(range(args.repeat))
        listed = timed(lambda _: check(api.get("/api/v1/tags/", {"page_size": 10})), runs, between)
        rows.append(("request floor", "API", listed))
        empty = timed(lambda _: check(page.get("/customers/suggest/", {"q": ""})), runs, between)
        rows.append(("request floor", "type-ahead", empty))
        tags = bare(
            "SELECT t.* FROM customers_tag t WHERE t.workspace_id = %s ORDER BY t.name LIMIT 11"
        )
        rows.append(("request floor", "bare SQL", timed(tags, [[workspace.pk]] * args.repeat)))
        report("request floor")

    texts = search_texts(sample, region)
    bares = bare_searches(workspace, 10)
    for label, cases in texts.items():
        if not wanted(label):
            continue
        cases = (cases * (args.repeat // max(len(cases), 1) + 1))[: args.repeat]
        if label == "fuzzy name":
            plain = connection.vendor == "postgresql"
            cases = [(t, [p[0] if plain else json.dumps(p[0])] * 2) for t, p in cases]
        rows.append(
            (
                label,
                "API",
                timed(
                    lambda case: check(
                        api.get("/api/v1/customers/", {"q": case[0], "page_size": 10})
                    ),
                    cases,
                    between,
                ),
            )
        )
        rows.append(
            (
                label,
                "type-ahead",
                timed(
                    lambda case: check(page.get("/customers/suggest/", {"q": case[0]})),
                    cases,
                    between,
                ),
            )
        )
        rows.append((label, "bare SQL", timed(bares[label], [case[1] for case in cases])))
        report(label)

    repeat = max(5, args.repeat // 5)
    for field, param in [] if args.no_lists else SORTABLE:
        for depth in ("page 1", f"page {DEEP_PAGE:,}"):
            if not wanted(f"list by {param}, {depth}"):
                continue
            ordered = customers.order_by(field, "pk")
            cursor = None
            bare_sql = (
                "SELECT c.* FROM customers_customer c WHERE c.workspace_id = %s "
                "AND c.deleted_at IS NULL AND c.archived_at IS NULL {after}"
                f"ORDER BY c.{field}, c.id LIMIT 51"
            )
            params = [workspace.pk]
            if depth != "page 1":
                offset = min((DEEP_PAGE - 1) * 50, max(customers.count() - 60, 0))
                row = ordered[offset - 1]
                cursor = keyset._cursor([field, "pk"], row, "n", DEEP_PAGE)
                bare_sql = bare_sql.format(after=f"AND (c.{field}, c.id) > (%s, %s) ")
                value = getattr(row, field)
                params += [
                    connection.ops.adapt_datetimefield_value(value)
                    if field == "created_at"
                    else value,
                    row.pk,
                ]
            else:
                bare_sql = bare_sql.format(after="")
            query = {"ordering": param, **({"cursor": cursor} if cursor else {})}
            label = f"list by {param}, {depth}"
            runs = [query] * repeat
            listed_by_api = timed(lambda q: check(api.get("/api/v1/customers/", q)), runs, between)
            rows.append((label, "API", listed_by_api))
            listed_by_page = timed(lambda q: check(page.get("/customers/", q)), runs, between)
            rows.append((label, "page", listed_by_page))
            rows.append((label, "bare SQL", timed(bare(bare_sql), [params] * repeat)))
            report(label)

    requests = sum(len(samples) for _, via, samples in rows if via != "bare SQL")
    for generation, passes in collector.passes.items():
        longest = max(passes, default=0) * 1000
        print(
            f"\nGeneration-{generation} collections during the {requests:,} timed requests: "
            f"{len(passes)}, CPU {sum(passes) * 1000:.0f} ms in all, the longest {longest:.1f} ms.",
            end="",
        )
    print()
    if args.freeze_gc and collections:
        p50, p95, _ = percentiles(collections)
        mean = sum(collections) / len(collections) * 1000
        print(
            f"Collections after the responses (untimed above): {len(collections)}, "
            f"CPU p50 {p50:.2f} ms, p95 {p95:.2f} ms, mean {mean:.2f} ms."
        )


if __name__ == "__main__":
    main()
