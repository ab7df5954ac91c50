"""The searches that are no plain index range: text inside an email, and a name with a typo.

`queries.global_search` calls them; each still reads through an index, never the table.
"""

import json
import operator
from functools import reduce

from django.db import connection
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.expressions import RawSQL

from patron.core import keyset
from patron.customers import search_index
from patron.customers.models import Customer
from patron.customers.normalize import one_edit_away

# Above every character a key holds: key <= x < key + TOP is "x starts with key".
TOP = "\U0010ffff"
# Shortest text searched for inside emails: a trigram index answers from 3 characters.
CONTAINS_MIN = 3
# Shortest name searched with a typo allowed (shorter ones match too much by chance).
FUZZY_MIN = 5
# ...and at most this long: one typo of n characters is ~60n names (40 letters: 2,400).
FUZZY_MAX = 40
# The name keys a typo search reads: surname first, and first name first.
NAMES = ("name_key", "given_name_key")


def starts_with(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as an index range on both databases.

    SQLite's LIKE uses no index on a case-sensitive column, and PostgreSQL's needs a
    pattern operator class; a range on the plain (workspace, field) index serves both. The
    LIKE stays as a check of the range (it is exact in any collation).
    """
    return Q(
        **{
            f"{field}__gte": prefix,
            f"{field}__lt": prefix + TOP,
            f"{field}__startswith": prefix,
        }
    )


def _one_of(vendor: str, column: str, values: list, array_type: str) -> tuple[str, list]:
    """`column` equals one of `values`: an index lookup of each. On PostgreSQL the list is
    one parameter, an array handed over by a subquery, so that the planner neither weighs
    each value (5-9 ms for the 1,200 names of a typo) nor trusts a count of them it would
    misjudge. On SQLite, names are one JSON parameter (1,200 placeholders cost 1-2 ms to
    rewrite and bind); ids are placeholders, since given a JSON list a page in name order
    walks the name index past them instead of reading them."""
    if vendor == "postgresql":
        array = f"(SELECT %s::{array_type}[])::{array_type}[]"
        return f"{column} = ANY({array})", [array_literal(values)]
    if array_type == "text":
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values)) or 'NULL'})", list(values)


def array_literal(values) -> str:
    """PostgreSQL's text form of an array ('{"a","b"}'): one string, which the driver
    quotes once instead of each element (given the list itself, psycopg took 1.5-3 ms more
    of CPU for a typo's 1,200 names: typo API CPU p50 9.7 -> 11.3-13.3 ms at 1M)."""
    quoted = (str(value).replace("\\", "\\\\").replace('"', '\\"') for value in values)
    return "{" + ",".join(f'"{value}"' for value in quoted) + "}"


class _Variants(Lookup):
    """The column equals one of the rhs's first list or starts with one of its second,
    compiled in one go: as hundreds of lookups, the ORM took 25 ms to build a typo
    search's 1 ms query. (A Lookup, so that SQLite's WHERE takes it as it is, not as a
    value compared with true, which no index serves.)"""

    lookup_name = "variants"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        equal, starting = self.rhs
        terms = []
        if equal:
            sql, values = _one_of(connection.vendor, column, list(equal), "text")
            terms.append(sql)
            params = [*params, *values]
        for variant in starting:
            # The range is what the index reads; substr() checks it in any collation.
            terms.append(f"({column} >= %s AND {column} < %s AND substr({column}, 1, %s) = %s)")
            params = [*params, variant, variant + TOP, len(variant), variant]
        return "(" + " OR ".join(terms) + ")", params


def name_variants(equal: list[str], starting: list[str], names: tuple[str, ...] = NAMES) -> Q:
    """A name key (of `names`) equal to one of `equal` or starting with one of `starting`.
    Each part is an index lookup, which both databases join in one pass (SQLite: a
    MULTI-INDEX OR, PostgreSQL: a BitmapOr) when no order is asked of them."""
    variants = (tuple(equal), tuple(starting))
    return reduce(operator.or_, (Q(_Variants(F(name), variants)) for name in names))


class _IdIn(Lookup):
    lookup_name = "id_in"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        sql, values = _one_of(connection.vendor, column, [int(pk) for pk in self.rhs], "bigint")
        return sql, [*params, *values]


def id_in(ids: list[int]) -> Q:
    """The row's id is one of `ids`, however many (on PostgreSQL, one parameter)."""
    return Q(_IdIn(F("pk"), tuple(ids)))


# Up to this many matches of an email fragment come as a list of ids (see email_contains).
EMAIL_LIST_MAX = 5_000


def email_contains(text: str, queryset: QuerySet[Customer]) -> tuple[Q, list[int] | None]:
    """The email contains `text` (lower case), through the trigram index (SQLite: its FTS5
    table, PostgreSQL: a GIN index and LIKE): the condition, and while the matches among
    `queryset`'s rows are few ("smith@": 4,000 of 1M), all of them in its order.

    The matches are looked up once, here, and while few they come as that list (the
    condition is then the list of ids): a page takes its first rows from it and a count
    counts it (keyset.AnyOf.listed), without asking the index or reading the rows again.
    Given the condition instead, PostgreSQL takes a fragment's matches to be spread out
    and walks the name index from "a" for ten of them, where they bunch together (the
    Smiths): 3 s; SQLite ran its FTS5 query for the page and again for the count. Many
    matches ("@gmail") are spread out indeed, and the walk finds ten at once.

    The lookup reads each candidate's row (on PostgreSQL, to check the LIKE, since the
    trigram index only narrows; on SQLite, to keep `queryset`'s rows among the FTS5 table's,
    which knows no workspace) and takes its sort values on the way."""
    if connection.vendor == "postgresql":
        condition = Q(email__contains=text)
        ids = keyset.ids_in_order(queryset.filter(condition), EMAIL_LIST_MAX)
    else:
        sql, params = search_index.email_phrase_sql(text)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT {EMAIL_LIST_MAX + 1}", params)
            anywhere = [row[0] for row in cursor.fetchall()]
        condition = Q(pk__in=RawSQL(sql, params))
        ids = None
        if len(anywhere) <= EMAIL_LIST_MAX:
            ids = keyset.ids_in_order(queryset.filter(id_in(anywhere)))
    return (condition, None) if ids is None else (id_in(ids), ids)


# The typo search's matches are taken as a list of ids up to this many.
TYPO_LIST_MAX = 2_000


def with_a_typo(queryset: QuerySet[Customer], key: str) -> QuerySet[Customer]:
    """The rows of `queryset` whose name is one typo away from `key`: the whole name equal
    to a variant of it, or its beginning when the typo is a letter missed or two swapped
    ("jonh smi" finds John Smith), first name first or last.

    The matches are found in one query (name_variants) and come back as a list of ids while
    they are few: a page then sorts that list, and counting it needs no plan. Given the
    typo condition itself, both databases would walk the name index in the page's order
    testing each row (SQLite 3 s, PostgreSQL 5 s at 1M rows: the matches bunch together,
    "smith john" far from "a"). Many matches (a common surname, "wilsno": 14,000 Wilsons)
    are paged by branch (keyset.AnyOf): the whole names' few ids as one branch, each
    beginning as another, whose first rows in order an index range gives. (A beginning
    that starts with another is left out: "wilso" covers "wilson".)
    """
    short, long = one_edit_away(key)
    short = _without_extensions(short)
    typo = queryset.filter(name_variants(sorted(long), short)).order_by()
    few = list(typo.values_list("pk", flat=True)[: TYPO_LIST_MAX + 1])
    if len(few) <= TYPO_LIST_MAX:
        return queryset.filter(id_in(few))
    whole = queryset.filter(name_variants(sorted(long), [])).order_by()
    branches = [id_in(list(whole.values_list("pk", flat=True)))]
    branches += [name_variants([], [variant], (name,)) for variant in short for name in NAMES]
    # Without its branches (another filter added), a page reads every match: 80-110 ms.
    found = queryset.filter(pk__in=typo.values("pk"))
    return keyset.AnyOf(queryset, tuple(branches), len(found.query.where.children)).attach(found)


def _without_extensions(prefixes: set[str]) -> list[str]:
    """`prefixes` in order without those that start with another ("wilso" covers "wilson").
    In order, a prefix's extensions follow it, before anything it does not start, so each
    is tested against the last one kept only (comparing all pairs took 0.1 ms of CPU)."""
    kept = []
    for prefix in sorted(prefixes):
        if not kept or not prefix.startswith(kept[-1]):
            kept.append(prefix)
    return kept
