"""The searches that are no plain index range: text inside an email, and a name with a typo.

`queries.global_search` calls them; each still reads through an index, never the table.
"""

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from patron.customers import search_index
from patron.customers.models import Customer
from patron.customers.normalize import one_edit_away

# Above every character a key holds: key <= x < key + TOP is "x starts with key".
TOP = "\U0010ffff"
# Shortest text searched for inside emails: a trigram index answers from 3 characters.
CONTAINS_MIN = 3
# Shortest name searched with a typo allowed (shorter ones match too much by chance).
FUZZY_MIN = 5
# ...and at most this long: one typo of n characters is ~60n names, and past about 40 letters
# they no longer fit in one query (SQLite: 500 terms in a UNION, 32,766 parameters).
FUZZY_MAX = 40


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


def email_contains(text: str) -> Q:
    """The email contains `text` (lower case), through the trigram index: on PostgreSQL a
    plain LIKE (its GIN index joins the other branches' indexes in one bitmap), on SQLite
    the ids the FTS5 table gives."""
    if connection.vendor == "postgresql":
        return Q(email__contains=text)
    sql, params = search_index.email_contains_sql(text)
    return Q(pk__in=RawSQL(sql, params))


# Up to this many matches of an email fragment are sorted apart (see sorted_apart).
SORT_APART_MAX = 5_000


def sorted_apart(found: QuerySet[Customer]) -> QuerySet[Customer]:
    """PostgreSQL: `found` in name order by sorting its matches, when they are few.

    An email fragment's matches ("smith@": 4,000 of 1M) bunch together in name order (the
    Smiths), but PostgreSQL, taking them to be spread out, walks the name index from "a" to
    find the first ten: 3 s. Ordered by a copy of the name that no index gives, it reads the
    matches through the trigram index and sorts them: 10-40 ms. Many matches ("@gmail")
    are spread out indeed, and the walk finds ten at once. (SQLite collects the matches of
    its FTS5 table first anyway.)
    """
    if connection.vendor != "postgresql":
        return found
    if found.order_by().values("pk")[: SORT_APART_MAX + 1].count() > SORT_APART_MAX:
        return found
    apart = found.annotate(name_order=Concat("name_key", Value(""))).order_by("name_order", "pk")
    apart.query.any_of = None  # its branches know no name_order
    return apart


# The typo search's matches are taken as a list of ids up to this many (PostgreSQL counted
# them with a scan of the table when they came as a UNION: 170 ms at 1M customers).
UNION_LIST_MAX = 2_000


def with_a_typo(queryset: QuerySet[Customer], key: str) -> QuerySet[Customer]:
    """The rows of `queryset` whose name is one typo away from `key` (see fuzzy_name).

    The ids come from a UNION of one index lookup per variant, on both databases:
    PostgreSQL, given them as one OR, underestimates how few rows they match and walks the
    name index filtering each row (6 s at 1M rows; 35 ms as a UNION). Few matches come
    back as a list, so that counting them needs no plan of the planner's; and the pages
    are not taken by branch (keyset.AnyOf): PostgreSQL walks the name index for a branch
    of hundreds of names in order (expecting thousands) and finds none (7 s at 1M).
    """
    branches = fuzzy_name(key)
    ids = [queryset.filter(branch).order_by().values_list("pk", flat=True) for branch in branches]
    matching = ids[0].union(*ids[1:], all=True)
    few = list(matching.order_by()[: UNION_LIST_MAX + 1])
    if len(few) <= UNION_LIST_MAX:
        return queryset.filter(pk__in=few)
    return queryset.filter(pk__in=matching)


def fuzzy_name(key: str) -> list[Q]:
    """A name one typo away from `key`: the whole name, or its beginning when the typo is a
    letter missed or two swapped ("jonh smi" finds John Smith), first name first or last."""
    short, long = one_edit_away(key)
    branches = [Q(name_key__in=long), Q(given_name_key__in=long)]
    for variant in sorted(short):
        branches += [starts_with("name_key", variant), starts_with("given_name_key", variant)]
    return branches
