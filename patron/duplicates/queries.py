"""Reads of duplicate detection: the review queue, and the likely duplicates of a customer
about to be created (found through indexed lookups, then scored by the engine)."""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_date

from patron.customers.models import Customer
from patron.customers.normalize import name_key, normalize_email, normalize_phone
from patron.duplicates import engine
from patron.duplicates.models import DuplicateCandidate
from patron.duplicates.services import FIELDS

TOP = "\U0010ffff"  # above every character a key holds: key <= x < key + TOP
LOOKUP_LIMIT = 200  # candidates scored for one new customer
CHUNK = 50  # new customers looked up in one query
PHONES = ("work_phone", "home_phone", "mobile_phone")
KEYS = ("name_key", "given_name_key")
# The fields a lookup can match exactly; each fetched row is indexed by them.
EXACT = ("email", *PHONES, "postcode", "date_of_birth", "name_key")
# Each has a (workspace, field) index. A date of birth has one too, but is never asked by
# alone: every customer born on a placeholder date (1900-01-01) would fill the lookup's
# limit and push out an exact email. Its term with the surname's range is answered by the
# date's index (without it, it read every Smith of the workspace: 2.8 s a batch of 1,000
# new rows at 100,000 customers on PostgreSQL).
INDEXED = ("email", *PHONES, "postcode", "name_key")


def open_candidates(workspace):
    """The review queue: open pairs of customers outside the recycle bin, likeliest first."""
    return (
        DuplicateCandidate.objects.in_workspace(workspace)
        .filter(status=DuplicateCandidate.Status.OPEN)
        .filter(customer_a__deleted_at__isnull=True, customer_b__deleted_at__isnull=True)
        .select_related("customer_a", "customer_b")
        .order_by("-score", "pk")
    )


def _normalized(workspace, values: Mapping) -> dict:
    """The values as the customer's clean() would store them (email and phones)."""
    data = {name: values.get(name) for name in FIELDS if name != "id"}
    if isinstance(data["date_of_birth"], str):
        try:
            data["date_of_birth"] = parse_date(data["date_of_birth"])
        except ValueError:
            data["date_of_birth"] = None
    try:
        data["email"] = normalize_email(str(values.get("email") or ""))
    except ValidationError:
        data["email"] = ""
    for name in PHONES:
        try:
            data[name] = normalize_phone(str(values.get(name) or ""), workspace.default_region)
        except ValidationError:
            data[name] = ""
    return data


def _lookups(data: Mapping) -> list[dict[str, object]]:
    """The indexed lookups that find a new customer's likely duplicates, each a dict of
    filter conditions (exact, `__in` or `__startswith`): same email; same phone; same
    surname with the same postcode, first name or date of birth; same first name or date of
    birth at the same postcode."""
    lookups: list[dict[str, object]] = []
    if data["email"]:
        lookups.append({"email": data["email"]})
    for phone in sorted({data[name] for name in PHONES} - {""}):
        lookups += [{name: phone} for name in PHONES]
    if data.get("kind") == Customer.Kind.ORGANIZATION:
        company = name_key(str(data.get("company_name") or ""))
        if company:
            lookups.append({"name_key": company})
        return lookups
    surname = name_key(str(data.get("last_name") or ""))
    first = name_key(str(data.get("first_name") or ""))
    born = data.get("date_of_birth")
    postcode = str(data.get("postcode") or "").strip()
    postcodes = sorted({postcode, postcode.upper()})
    if surname and postcode:
        # The surname's first letters only: "Smiht" at John Smith's postcode is likely him.
        lookups.append({"name_key__startswith": surname[:3], "postcode__in": postcodes})
    # A surname mistyped sooner: the same first name, or date of birth, at the same postcode.
    if first and postcode:
        lookups.append({"given_name_key__startswith": first, "postcode__in": postcodes})
    if postcode and born:
        lookups.append({"postcode__in": postcodes, "date_of_birth": born})
    if surname and first:
        lookups.append({"name_key__startswith": f"{surname} {first}"})
        # first and last names typed the other way round
        lookups.append({"name_key__startswith": f"{first} {surname}"})
    if surname and born:
        lookups.append({"name_key__startswith": surname, "date_of_birth": born})
    return lookups


def _condition(workspace, lookups: list[Mapping]) -> RawSQL | None:
    """The lookups OR-ed, as SQL that indexes answer term by term: the single exact lookups
    of an indexed field as one IN, and a prefix as a range (SQLite's LIKE uses no index on a
    case-sensitive column; the range may find more, and `_holds` checks each row), with the
    workspace in each term (each is then one search of a (workspace, field) index). Each
    field's IN, and the ranges, are a SELECT of their own in a UNION ALL, which the database
    plans one by one: as one OR, SQLite judged the whole by its statistics and scanned the
    workspace when most customers have no work or home phone (every phone's IN then looks
    like the whole table): 18 s a batch of 1,000 new rows at 100,000 customers, against
    0.9 s. Written as SQL because building a few hundred terms as Q objects cost more than
    running them."""
    exact: dict[str, set] = defaultdict(set)
    terms: set[tuple[tuple[str, str, object], ...]] = set()
    for lookup in lookups:
        # A lookup with an equality on an indexed field asks by that alone (all a chunk's
        # values of the field in one IN): with a name range beside it, SQLite may search
        # the range instead, every Smith of the workspace for one postcode.
        for condition, wanted in lookup.items():
            name, _, operator = condition.partition("__")
            if name in INDEXED and operator in ("", "in"):
                exact[name].update(wanted if operator == "in" else [wanted])
                break
        else:
            term = []
            for condition, wanted in lookup.items():
                name, _, operator = condition.partition("__")
                if operator == "startswith":
                    term += [(name, ">=", wanted), (name, "<", wanted + TOP)]
                else:
                    term.append((name, "=", wanted))
            terms.add(tuple(term))
    arms = [[list(term) for term in sorted(terms, key=str)]] if terms else []
    arms += [[[(name, "in", sorted(values, key=str))]] for name, values in exact.items()]
    if not arms:
        return None
    quote, fields = connection.ops.quote_name, Customer._meta
    table, key = quote(fields.db_table), quote(fields.pk.column)
    workspace_column = quote(fields.get_field("workspace").column)
    selects, params = [], []
    for arm in arms:
        sql = []
        for term in arm:
            parts = [f"{workspace_column} = %s"]
            params.append(workspace.pk)
            for name, operator, wanted in term:
                field = fields.get_field(name)
                values = wanted if operator == "in" else [wanted]
                places = ", ".join(["%s"] * len(values))
                parts.append(
                    f"{quote(field.column)} IN ({places})"
                    if operator == "in"
                    else f"{quote(field.column)} {operator} %s"
                )
                params += [field.get_db_prep_value(value, connection) for value in values]
            sql.append(f"({' AND '.join(parts)})")
        selects.append(f"SELECT {key} FROM {table} WHERE {' OR '.join(sql)}")
    return RawSQL(
        f"{table}.{key} IN ({' UNION ALL '.join(selects)})", params, output_field=BooleanField()
    )


def _holds(row: Mapping, lookup: Mapping) -> bool:
    """Whether a fetched row meets a lookup, as the database judged it."""
    for condition, wanted in lookup.items():
        name, _, operator = condition.partition("__")
        value = row[name]
        if operator == "startswith":
            if not (value or "").startswith(wanted):
                return False
        elif operator == "in":
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


class _Fetched:
    """A chunk's fetched customers, indexed by each lookup's first exact condition so that
    a new customer is compared only with the rows its own lookups found."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.by_value: dict[tuple[str, object], list[dict]] = defaultdict(list)
        for row in rows:
            for name in EXACT:
                if row[name] not in ("", None):
                    self.by_value[name, row[name]].append(row)
        self.names = sorted((row["name_key"], position) for position, row in enumerate(rows))

    def _anchored(self, lookup: Mapping) -> list[dict]:
        for condition, wanted in lookup.items():
            name, _, operator = condition.partition("__")
            if not operator:
                return self.by_value.get((name, wanted), [])
            if operator == "in":
                return [row for value in wanted for row in self.by_value.get((name, value), [])]
        # Only a name prefix: the sorted names from the first that starts with it.
        prefix = lookup["name_key__startswith"]
        found = []
        for key, position in self.names[bisect_left(self.names, (prefix, -1)) :]:
            if not key.startswith(prefix):
                break
            found.append(self.rows[position])
        return found

    def found_by(self, lookups: list[dict]) -> list[dict]:
        seen: dict[int, dict] = {}
        for lookup in lookups:
            for row in self._anchored(lookup):
                if row["id"] not in seen and _holds(row, lookup):
                    seen[row["id"]] = row
        return list(seen.values())[:LOOKUP_LIMIT]


def likely_duplicates_of_many(
    workspace, many: Sequence[Mapping], *, exclude_pk: int | None = None, limit: int = 5
) -> list[list[tuple[Customer, float, list[str]]]]:
    """For each of `many` (customers' fields, as typed), the existing customers it likely
    duplicates, likeliest first, as `likely_duplicates` finds them for one.

    CHUNK new customers share one query (their lookups OR-ed), so checking an import's
    2,000 rows takes a few dozen queries rather than 2,000."""
    prepared = []
    for values in many:
        data = _normalized(workspace, values)
        prepared.append((engine.prepare(data, id=0), _lookups(data)))
    scored: list[list[tuple[int, float, list[str]]]] = []
    for start in range(0, len(prepared), CHUNK):
        chunk = prepared[start : start + CHUNK]
        rows = []
        condition = _condition(workspace, [lookup for _, lookups in chunk for lookup in lookups])
        if condition is not None:
            # By id: ordered by name, SQLite would walk the name index over the workspace.
            query = Customer.objects.filter(condition).order_by("pk")
            if exclude_pk is not None:
                query = query.exclude(pk=exclude_pk)
            # The recycle bin is left out here: in the query SQLite would search the
            # workspace's (workspace, deleted_at) index rather than each term's own.
            rows = [
                row
                for row in query.values(*FIELDS, *KEYS, "deleted_at")[: LOOKUP_LIMIT * len(chunk)]
                if row["deleted_at"] is None
            ]
        fetched = _Fetched(rows)
        for record, lookups in chunk:
            matches = []
            for row in fetched.found_by(lookups) if rows else []:
                match = engine.compare(record, engine.prepare(row))
                if match.score >= engine.THRESHOLD:
                    matches.append((row["id"], match.score, match.reasons))
            matches.sort(key=lambda item: (-item[1], item[0]))
            scored.append(matches[:limit])
    customers = Customer.objects.in_bulk({pk for matches in scored for pk, _, _ in matches})
    return [
        [(customers[pk], score, reasons) for pk, score, reasons in matches] for matches in scored
    ]


def likely_duplicates(
    workspace, values: Mapping, *, exclude_pk: int | None = None, limit: int = 5
) -> list[tuple[Customer, float, list[str]]]:
    """Existing customers that `values` (a customer's fields, as typed) likely duplicates.

    Only indexed lookups find the candidates (see `_lookups`), so the cost does not grow
    with the workspace; the engine then scores them. Likeliest first.
    """
    return likely_duplicates_of_many(workspace, [values], exclude_pk=exclude_pk, limit=limit)[0]
