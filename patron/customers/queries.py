"""Reads that matter: finding customers."""

import operator
from functools import reduce

import phonenumbers
from django.db import connection
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, In

from patron.core import keyset
from patron.customers.loose_search import (
    CONTAINS_MIN,
    FUZZY_MAX,
    FUZZY_MIN,
    email_contains,
    starts_with,
    with_a_typo,
)
from patron.customers.models import Customer
from patron.customers.normalize import is_plain_number, name_key, parse_phone
from patron.workspaces.models import Workspace


def global_search(
    queryset: QuerySet[Customer], text: str, region: str, *, workspace: Workspace | None = None
) -> QuerySet[Customer]:
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

    `workspace` (`queryset`'s) lets a name branch of thousands of matches ("john" as a first
    name) be walked in the page's order rather than sorted (keyset.AnyOf.scope).
    """
    text = text.strip()
    if not text:
        return queryset
    key = name_key(text)
    branches = []
    hints = {}
    if key and "@" not in text:
        # Text with an "@" is an email; one without letters names no person, though it
        # may start a company ("3M", "7-Eleven"), an organization's name_key included.
        names = NAME_KEYS if any(char.isalpha() for char in key) else ("company_key",)
        branches += [starts_with(name, key) for name in names]
        if "given_name_key" in names:
            hints[names.index("given_name_key")] = _has_word_starting(key.split(" ")[0])
    # The name branches, first, may match thousands; the others are exact or rarer.
    common = set(range(len(branches)))
    if is_plain_number(text) and len(text) <= 9:
        branches.append(Q(number=int(text)))
    listed = {}
    if "@" in text:
        email = text.lower()
        local, _, domain = email.partition("@")
        # A whole address ("ann@acme.co.uk") is looked up by prefix only: inside emails, its
        # common trigrams (".co", "com") would have the index read half the table. What
        # contains the text includes what starts with it.
        if len(email) >= CONTAINS_MIN and not (local and "." in domain):
            condition, ids = email_contains(email, queryset)
            if ids is not None:
                listed[len(branches)] = tuple(ids)
            branches.append(condition)
        else:
            branches.append(starts_with("email", email))
    if sum(char.isdigit() for char in text) >= 6:
        number = parse_phone(text, region)
        if number is not None:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            branches += [Q(**{name: e164}) for name in ("mobile_phone", "work_phone", "home_phone")]
    scope = None if workspace is None else Customer.objects.filter(workspace=workspace)
    found = any_of(queryset, branches, scope=scope, common=common, hints=hints, listed=listed)
    if "@" in text:
        return found
    letters = sum(char.isalpha() for char in key)
    if letters < FUZZY_MIN or len(key) > FUZZY_MAX or _exists(found):
        return found
    return with_a_typo(queryset, key)


NAME_KEYS = ("name_key", "given_name_key", "company_key")
# Names are cut to this length (Customer.compute_name_keys).
NAME_KEY_MAX = 300


def _has_word_starting(word: str) -> Q:
    """A name_key with a word starting with `word`: what every customer whose given_name_key
    starts with it has (the two keys hold the same words in another order; an
    organization's are equal), told from the name index alone (keyset.AnyOf.hints). A
    name_key cut short may have lost the word, so it passes too."""
    return (
        Q(name_key__startswith=word)
        | Q(name_key__contains=" " + word)
        | Q(GreaterThanOrEqual(Length("name_key"), NAME_KEY_MAX))
    )


def _exists(found: QuerySet[Customer]) -> bool:
    """Whether `found` has a row: by branch when it has them (SQLite's IN of their UNION
    collected every match first), which the page then takes again at no new cost."""
    any_of = keyset.AnyOf.of(found)
    return any_of.exists(found.db) if any_of is not None else found.exists()


def any_of(
    queryset: QuerySet[Customer],
    branches: list[Q],
    *,
    scope: QuerySet[Customer] | None = None,
    common: set[int] = frozenset(),
    hints: dict[int, Q] | None = None,
    listed: dict[int, tuple[int, ...]] | None = None,
) -> QuerySet[Customer]:
    """The rows of `queryset` that match any of `branches`, each an index lookup or a list
    of ids found beforehand (`listed`: all of the branch's rows of `queryset`, in its order).

    PostgreSQL combines the branches' indexes in one bitmap (an OR). SQLite would rather
    walk the index that gives the list's order and test each row against the OR, which is
    every row when little matches; so there the ids come from a UNION of one index lookup
    per branch (each with the queryset's own conditions, workspace first).
    """
    if not branches:
        return queryset.none()
    if len(branches) == 1 or connection.vendor == "postgresql":
        found = queryset.filter(reduce(operator.or_, branches))
    else:
        found = queryset.filter(Q(_InAnyBranch(F("pk"), (queryset, tuple(branches)))))
    if len(branches) == 1 and not listed:
        return found
    paged = keyset.AnyOf(
        queryset,
        tuple(branches),
        len(found.query.where.children),
        scope,
        frozenset(common),
        hints or {},
        listed or {},
    )
    return paged.attach(found)


class _InAnyBranch(Lookup):
    """The row's id is in the UNION of one index lookup per branch of its rhs (queryset,
    branches), built when the query is compiled: a search's page, count and existence
    check take the branches one by one (keyset.AnyOf) and never compile it, which cost
    0.5-1 ms of CPU a search (the ORM building and relabelling a subquery per branch).
    Only a filter added to the search (the advanced search's other fields) runs it."""

    lookup_name = "in_any_branch"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        queryset, branches = self.rhs
        ids = [queryset.filter(b).order_by().values_list("pk", flat=True) for b in branches]
        union = ids[0].union(*ids[1:], all=True)
        lookup = In(self.lhs, union.query).resolve_expression(compiler.query)
        return compiler.compile(lookup)
