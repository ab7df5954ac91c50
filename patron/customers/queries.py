"""Reads that matter: finding customers."""

import operator
from functools import reduce

import phonenumbers
from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from patron.core import keyset
from patron.customers import search_index
from patron.customers.models import Customer
from patron.customers.normalize import is_plain_number, name_key, one_edit_away, parse_phone

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


def global_search(queryset: QuerySet[Customer], text: str, region: str) -> QuerySet[Customer]:
    """Customers whose name, company, customer no., email or phone matches what was typed.

    Every branch is an index lookup, never a full scan:
    - names and company names by prefix, accents and case aside: "john", "john smith",
      "smith", "smith jo" and "José" / "jose" find José Smith; "acme" finds Acme Ltd and
      the people who work there;
    - the customer no.;
    - an email by prefix and, from 3 characters with an "@" and short of a whole address,
      anywhere inside ("smith@", "@acme");
    - a phone however it is typed ("+44 20 7946 0018", "020 7946 0018");
    - and when none of that finds anything, a name with one typo ("jonh smith").
    """
    text = text.strip()
    if not text:
        return queryset
    key = name_key(text)
    branches = []
    if key:
        branches += [starts_with(name, key) for name in NAME_KEYS]
    if is_plain_number(text) and len(text) <= 9:
        branches.append(Q(number=int(text)))
    if "@" in text:
        email = text.lower()
        branches.append(starts_with("email", email))
        local, _, domain = email.partition("@")
        # A whole address ("ann@acme.co.uk") is looked up by prefix only: inside emails, its
        # common trigrams (".co", "com") would have the index read half the table.
        contains = len(email) >= CONTAINS_MIN and not (local and "." in domain)
        if contains:
            branches.append(email_contains(email))
    if sum(char.isdigit() for char in text) >= 6:
        number = parse_phone(text, region)
        if number is not None:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            branches += [Q(**{name: e164}) for name in ("mobile_phone", "work_phone", "home_phone")]
    found = any_of(queryset, branches)
    if "@" in text:
        return sorted_apart(found) if contains else found
    letters = sum(char.isalpha() for char in key)
    if letters < FUZZY_MIN or len(key) > FUZZY_MAX or found.exists():
        return found
    return any_of(queryset, fuzzy_name(key), union=True)


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


NAME_KEYS = ("name_key", "given_name_key", "company_key")
# The typo search's matches are taken as a list of ids up to this many (PostgreSQL counted
# them with a scan of the table when they came as a UNION: 170 ms at 1M customers).
UNION_LIST_MAX = 2_000


def any_of(
    queryset: QuerySet[Customer], branches: list[Q], *, union: bool = False
) -> QuerySet[Customer]:
    """The rows of `queryset` that match any of `branches`, each an index lookup.

    PostgreSQL combines the branches' indexes in one bitmap (an OR). SQLite would rather
    walk the index that gives the list's order and test each row against the OR, which is
    every row when little matches; so there the ids come from a UNION of one index lookup
    per branch (each with the queryset's own conditions, workspace first). So on
    PostgreSQL too with `union`, for the typo search's many branches: it underestimates
    how few rows they match and walks the name index filtering each row (6 s at 1M rows;
    35 ms as a UNION).
    """
    if not branches:
        return queryset.none()
    if len(branches) == 1 or (connection.vendor == "postgresql" and not union):
        found = queryset.filter(reduce(operator.or_, branches))
        return _paged_by_branch(queryset, branches, found)
    ids = [queryset.filter(branch).order_by().values_list("pk", flat=True) for branch in branches]
    matching = ids[0].union(*ids[1:], all=True)
    if union:  # few matches, as a list: counting them then needs no plan of the planner's
        few = list(matching.order_by()[: UNION_LIST_MAX + 1])
        if len(few) <= UNION_LIST_MAX:
            return queryset.filter(pk__in=few)
    found = queryset.filter(pk__in=matching)
    # Not the typo search's: PostgreSQL walks the name index for a branch of hundreds of
    # names in order (expecting thousands) and finds none (7 s at 1M).
    return found if union else _paged_by_branch(queryset, branches, found)


def _paged_by_branch(
    queryset: QuerySet[Customer], branches: list[Q], found: QuerySet[Customer]
) -> QuerySet[Customer]:
    """`found`, whose pages take the first rows of each branch (keyset.AnyOf)."""
    if len(branches) == 1:
        return found
    any_of = keyset.AnyOf(queryset, tuple(branches), len(found.query.where.children))
    return any_of.attach(found)


def fuzzy_name(key: str) -> list[Q]:
    """A name one typo away from `key`: the whole name, or its beginning when the typo is a
    letter missed or two swapped ("jonh smi" finds John Smith), first name first or last."""
    short, long = one_edit_away(key)
    branches = [Q(name_key__in=long), Q(given_name_key__in=long)]
    for variant in sorted(short):
        branches += [starts_with("name_key", variant), starts_with("given_name_key", variant)]
    return branches
