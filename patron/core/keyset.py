"""Keyset pagination and capped counts: a deep page costs what the first one costs.

A page is the rows after (or before) a cursor in the queryset's order, with the primary key
as the last sort key so that rows with equal values keep one order. The cursor holds the
sort values of the row it starts after, so the database seeks to it in the index
(workspace, column, id) instead of counting past everything before it (OFFSET).
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Model, Q, QuerySet, When

# Counted exactly up to this many rows; beyond it, an estimate (PostgreSQL) or "more than".
# Counting is the dearest part of a broad search's page (every match is visited), so the cap
# is what a person would read through, not what a machine could count.
COUNT_CAP = 1_000
# Page numbers (OFFSET) are taken while they stay within this many rows.
OFFSET_CAP = 10_000
# A branch of AnyOf.common with this many matches or more (first names "john...", one person
# in fifty) is walked in the page's order rather than sorted; the walk gives up (and sorts)
# after WALK_MAX rows.
COMMON = 3_000
WALK_MAX = 4_000


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class AnyOf:
    """How a search's queryset was made: its rows are those of `base` matching any of
    `branches`, each an index lookup. A page then takes the first rows of each branch in
    the page's order and sorts only those, not every match: "smit" matches 9,000 Smiths,
    whose first ten the name index gives in order.

    It rides on the queryset's Query (which copies it along when cloned) and stands only
    while no filter has been added since (`of`).

    Two kinds of branch find their first rows another way (`narrow`):
    - walked: a branch that may match thousands (`common`: a name's beginning may, an
      email not) and has COMMON matches or more in `scope` is walked in the page's order,
      each row tested. Sorting reads every match ("john": 20,000 rows, 80 ms at a million
      customers); the walk reads about fifty rows per row found (3 ms). The branch's hint
      is tested first, from the index the walk reads, and only the rows that pass are read
      from the table ("will" as a first name passed 3,600 names in order, each read from
      the table: 10-13 ms of CPU at 1M on SQLite, 7-17 ms on PostgreSQL; hinted, 1 ms;
      PostgreSQL in two statements, `_walk_hinted`).
    - listed: a branch whose matches were found beforehand, all of them among `base`'s rows
      and in `base`'s order (`listed`: an email fragment's, `ids_in_order`), takes its
      first rows from that list when the page asks for that order, and is counted from it:
      sorted again by the page (each match's row read again: 11-17 ms for "jones@"'s
      4,000 matches at 1M on PostgreSQL) and counted up to COUNT_CAP (4 ms more, and the
      planner's estimate beyond), it cost three times its lookup.
    """

    # The search: `base`'s rows matching any of `branches`, while `base`'s WHERE has
    # `conditions` terms (none added since).
    base: QuerySet
    branches: tuple[Q, ...]
    conditions: int
    # The rows the branches' indexes hold (a workspace's), where a branch of `common` (by
    # number) is counted, index only, to tell whether to walk it.
    scope: QuerySet | None = None
    common: frozenset[int] = frozenset()
    # By branch number, a condition that every match of the branch meets, on the columns
    # of the index the walk reads.
    hints: dict[int, Q] = field(default_factory=dict, compare=False)
    # By branch number, the ids of all of the branch's rows among `base`'s, in its order.
    listed: dict[int, tuple[int, ...]] = field(default_factory=dict, compare=False)

    # Filled as the search is used, and shared by the queryset's clones like the AnyOf:
    # - each branch compiled once per order (a search's existence check, its page and its
    #   count take the same branches, and compiling them through the ORM cost more than
    #   running them);
    _compiled: dict[tuple, list] = field(default_factory=dict, compare=False, repr=False)
    # - and the branches to walk, by the order's first field.
    _to_walk: dict[str, set[int]] = field(default_factory=dict, compare=False, repr=False)

    def attach(self, queryset: QuerySet) -> QuerySet:
        queryset.query.any_of = self
        return queryset

    @classmethod
    def of(cls, queryset: QuerySet) -> "AnyOf | None":
        found = getattr(queryset.query, "any_of", None)
        where = queryset.query.where
        if found is None or where.connector != "AND" or where.negated:
            return None
        return found if len(where.children) == found.conditions else None

    # The branches compiled

    def _compiled_branches(self, order: list[str] | None) -> tuple[list[tuple], list[str], str]:
        """Each branch as a SELECT (sql, params) of the sort columns of `order` (any order
        already compiled, or the pk alone, when None), their ORDER BY and the pk's column."""
        if order is None:
            order = next(iter(self._compiled), ("pk",))
        key = tuple(order)
        if key not in self._compiled:
            template = self.base.order_by().values(**_sort_columns(order))
            self._compiled[key] = _each_branch(template, self.branches)
        return self._compiled[key], *_ordering(order)

    # Whether any row matches

    def exists(self, using: str) -> bool:
        """Whether any branch has a row (any row: the first in order may need all sorted),
        compiled in the base's order, which its page most likely asks for next."""
        compiled, _, pk = self._compiled_branches(sort_keys(self.base))
        sql, params = _union_of_firsts(compiled, pk, [], 1)
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM ({sql}) AS found LIMIT 1", params)
            return cursor.fetchone() is not None

    # A page

    def narrow(self, queryset: QuerySet, order: list[str], limit: int, condition: Q | None):
        """`queryset` (as it stands, with its select_related, only...) with only the rows
        among the first `limit` in `order` (after `condition`) of each branch, listed,
        walked or sorted with the others: the base's conditions and those ids, not the test
        of every branch, which SQLite would read all matches of first. The ids come as a
        list: as a subquery, PostgreSQL misjudged a typo search's (dozens of branches) and
        walked the name index past a million rows (7 s)."""
        using = queryset.db
        to_walk = self._branches_to_walk(order, using)
        in_listed_order = self.listed and condition is None and order == sort_keys(self.base)
        ids, to_sort = [], []
        for n in range(len(self.branches)):
            found = None
            if in_listed_order and n in self.listed:
                found = list(self.listed[n][:limit])
            elif n in to_walk:
                rows = self.base if condition is None else self.base.filter(condition)
                found = _walk(rows, self.branches[n], self.hints.get(n), order, limit, using)
            if found is None:
                to_sort.append(n)
            else:
                ids += found
        if to_sort:
            ids += self._sorted_first_ids(to_sort, order, limit, condition, using)
        narrowed = queryset.all()
        narrowed.query.where = self.base.query.where.clone()
        return narrowed.filter(pk__in=ids)

    def _branches_to_walk(self, order: list[str], using: str) -> set[int]:
        """The branches (numbers) to walk in `order`: those of `common` with COMMON matches
        or more in `scope` whose index does not give that order already."""
        if self.scope is None or not order or not self.common:
            return set()
        first = order[0].lstrip("-")
        if first not in self._to_walk:
            unordered = {
                n: self.branches[n]
                for n in sorted(self.common)
                if first not in _fields(self.branches[n])
            }
            self._to_walk[first] = _common_in(self.scope, unordered, using)
        return self._to_walk[first]

    def _sorted_first_ids(
        self, numbers: list[int], order: list[str], limit: int, condition: Q | None, using: str
    ) -> list[int]:
        """The ids of the first `limit` rows in `order` of each branch of `numbers` (and
        `condition`, a keyset page's cursor), each branch sorted by the database, in one
        UNION."""
        if condition is None:
            compiled, ordering, pk = self._compiled_branches(order)
            sql, params = _union_of_firsts([compiled[n] for n in numbers], pk, ordering, limit)
        else:
            sql, params = self._union_of_firsts_after(numbers, order, limit, condition)
        return _first_column(using, sql, params)

    def _union_of_firsts_after(
        self, numbers: list[int], order: list[str], limit: int, condition: Q
    ) -> tuple[str, list]:
        """_union_of_firsts of the rows that also meet `condition`, through the ORM."""
        parts, params = [], []
        for n in numbers:
            rows = self.base.filter(self.branches[n]).filter(condition)
            rows = rows.order_by(*order).values_list("pk", flat=True)[:limit]
            sql, part_params = rows.query.sql_with_params()
            parts.append(f"SELECT * FROM ({sql}) AS branch_{n}")
            params += part_params
        return " UNION ".join(parts), params

    # The count

    def count(self, limit: int, using: str) -> int:
        """How many rows match, counted up to at least `limit` (more is "at least"; all of
        them when every branch is listed).

        Branch by branch, stopping once `limit` are found: "smit" has more than enough
        Smiths, and each row counted is a row read (the base's conditions are not in the
        branches' indexes). The listed branches are counted first, from their lists."""
        found = {pk for ids in self.listed.values() for pk in ids}
        if self.all_listed:
            return len(found)
        compiled, _, pk = self._compiled_branches(None)
        with connections[using].cursor() as cursor:
            for n in range(len(compiled)):
                if len(found) >= limit:
                    break
                if n not in self.listed:
                    sql, params = compiled[n]
                    cursor.execute(f"SELECT {pk} FROM ({sql}) AS b LIMIT {int(limit)}", params)
                    found.update(row[0] for row in cursor.fetchall())
        return len(found)

    @property
    def all_listed(self) -> bool:
        """Whether every branch is listed: the search's rows are all known, and counted."""
        return len(self.listed) == len(self.branches)


def _each_branch(template: QuerySet, branches) -> list[tuple[str, list]]:
    """(sql, params) of `template` filtered by each branch, as template.filter(branch) would
    compile it: the template once and each branch's condition appended to its WHERE. Through
    the ORM a branch cost 0.3-0.5 ms of CPU (cloning and compiling the whole query again),
    more than the index lookup it runs. A template whose SQL does not end with its WHERE
    (none, or a GROUP BY) is compiled branch by branch."""
    query = template.query
    compiler = query.get_compiler(template.db)
    sql, params = compiler.as_sql()
    where, where_params = compiler.compile(query.where) if query.where else ("", [])
    tail = tuple(params[len(params) - len(where_params) :])
    if not where or not sql.endswith(where) or tail != tuple(where_params):
        return [template.filter(b).query.sql_with_params() for b in branches]
    compiled = []
    for branch in branches:
        condition, condition_params = compiler.compile(query.build_where(branch))
        compiled.append((f"{sql} AND ({condition})", [*params, *condition_params]))
    return compiled


def _union_of_firsts(compiled: list, pk: str, ordering: list[str], limit: int) -> tuple[str, list]:
    """SQL of the ids (`pk`) of the first `limit` rows of each compiled branch in `ordering`
    (of any `limit` rows when none), in one UNION."""
    sort = f"ORDER BY {', '.join(ordering)} " if ordering else ""
    parts, params = [], []
    for n, (sql, part_params) in enumerate(compiled):
        # SQLite takes no LIMIT on a bare SELECT of a UNION
        parts.append(
            f"SELECT * FROM (SELECT {pk} FROM ({sql}) AS b {sort}LIMIT {int(limit)}) AS branch_{n}"
        )
        params += part_params
    return " UNION ".join(parts), params


def _first_column(using: str, sql: str, params: list) -> list:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _sort_columns(order: list[str]) -> dict[str, F]:
    """The columns of `order` as k0, k1... (for SQL that sorts by them outside the ORM)."""
    return {f"k{n}": F(name.lstrip("-")) for n, name in enumerate(order)}


def _ordering(order: list[str]) -> tuple[list[str], str]:
    """The ORDER BY terms of _sort_columns(order), and the pk's column among them."""
    ordering = [f"k{n} {'DESC' if name.startswith('-') else 'ASC'}" for n, name in enumerate(order)]
    pk = next(n for n, name in enumerate(order) if name.lstrip("-") in ("pk", "id"))
    return ordering, f"k{pk}"


def ids_in_order(rows: QuerySet, most: int | None = None) -> list[int] | None:
    """The ids of all of `rows` in their order (sort_keys), as AnyOf.listed takes them for
    a base of that order; None when there are more than `most`.

    Given `most`, at most `most` + 1 rows are taken in no order, then sorted: asked for the
    first ones in order instead, a database would read and sort every match, and PostgreSQL
    may walk an index in that order testing each row. Without it (`rows` are few, a list
    of ids), they are sorted in one go: taken first, SQLite's 4,000 rows cost 1.5 ms more."""
    order = sort_keys(rows)
    if most is None:
        return list(dict.fromkeys(rows.order_by(*order).values_list("pk", flat=True)))
    ordering, pk = _ordering(order)
    taken = rows.order_by().values(**_sort_columns(order))[: most + 1]
    try:
        sql, params = taken.query.sql_with_params()
    except EmptyResultSet:  # rows of a queryset.none()
        return []
    sql = f"SELECT {pk} FROM ({sql}) AS taken ORDER BY {', '.join(ordering)}"
    ids = _first_column(rows.db, sql, params)
    return list(dict.fromkeys(ids)) if len(ids) <= most else None


# The walk of a common branch (AnyOf: walked)


def _common_in(scope: QuerySet, branches: dict[int, Q], using: str) -> set[int]:
    """The numbers of `branches` with COMMON matches or more in `scope`, counted in one
    statement, each in its own index alone."""
    if not branches:
        return set()
    compiled = _each_branch(scope.order_by().values("pk"), list(branches.values()))
    parts, params = [], []
    for n, (sql, part_params) in zip(branches, compiled, strict=True):
        parts.append(f"(SELECT COUNT(*) FROM ({sql} LIMIT {COMMON}) AS probe_{n})")
        params += part_params
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        counts = cursor.fetchone()
    return {n for n, count in zip(branches, counts, strict=True) if count >= COMMON}


def _walk(
    rows: QuerySet, branch: Q, hint: Q | None, order: list[str], limit: int, using: str
) -> list[int] | None:
    """The ids of the first `limit` of `rows` in `order` that match `branch`, found by
    walking them in that order and testing each (`hint` first); None when the first
    WALK_MAX rows hold fewer (the branch is then sorted)."""
    if hint is not None and connections[using].vendor == "postgresql":
        return _walk_hinted(rows, branch, hint, order, limit, using)
    hit = ExpressionWrapper(branch, output_field=BooleanField())
    if hint is not None:  # a CASE, since SQLite evaluates both sides of an AND
        hit = Case(When(hint, then=hit), default=False, output_field=BooleanField())
    walk = rows.order_by(*order).values(k=F("pk"), hit=hit)[:WALK_MAX]
    sql, params = walk.query.sql_with_params()
    sql = f"SELECT k FROM ({sql}) AS walk WHERE hit LIMIT {int(limit)}"
    ids = _first_column(using, sql, params)
    return ids if len(ids) >= limit else None


def _walk_hinted(
    rows: QuerySet, branch: Q, hint: Q, order: list[str], limit: int, using: str
) -> list[int] | None:
    """_walk on PostgreSQL: the rows that pass `hint` are found from the index alone, and
    `branch` is tested on those only. Its index scan reads each row from the table before
    testing anything, so one statement read every row walked ("will" as a first name:
    3,654 rows, 3,693 pages, 7-17 ms at 1M); this way 82 rows are read, in 1.2 ms. (SQLite
    tests the hint from the index first: there one statement costs 0.5-1 ms of CPU less.)"""
    hinted = ExpressionWrapper(hint, output_field=BooleanField())
    walk = rows.order_by(*order).values(k=F("pk"), hinted=hinted)[:WALK_MAX]
    sql, params = walk.query.sql_with_params()
    passed = _first_column(using, f"SELECT k FROM ({sql}) AS walk WHERE hinted", params)
    matching = set(
        rows.order_by().filter(pk__in=passed).filter(branch).values_list("pk", flat=True)
    )
    ids = [pk for pk in passed if pk in matching][:limit]
    return ids if len(ids) >= limit else None


def _fields(branch: Q) -> set[str]:
    """The fields a branch's own lookups test ("given_name_key" of given_name_key__gte)."""
    return {child[0].split("__")[0] for child in branch.children if type(child) is tuple}


def first(queryset: QuerySet, limit: int) -> list[Model]:
    """The first `limit` rows of `queryset` in its order (a search's by branch, AnyOf)."""
    return _first(queryset, sort_keys(queryset), limit)


def _first(queryset: QuerySet, order: list[str], limit: int, condition: Q | None = None):
    """The first `limit` rows of `queryset` (and `condition`) in `order`."""
    any_of = AnyOf.of(queryset)
    if any_of is not None:
        queryset = any_of.narrow(queryset, order, limit, condition)
    if condition is not None:
        queryset = queryset.filter(condition)
    return list(queryset.order_by(*order)[:limit])


@dataclass
class Count:
    """How many rows a search found: exact, or more than `value - 1` (an estimate of the
    planner's when `about`)."""

    value: int
    exact: bool
    about: bool = False

    def __str__(self) -> str:
        if self.exact:
            return f"{self.value:,}"
        return f"about {self.value:,}" if self.about else f"more than {self.value - 1:,}"


@dataclass
class Page:
    rows: list[Model]
    number: int | None
    size: int
    next_cursor: str | None = None
    previous_cursor: str | None = None
    count: Count | None = field(default=None)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def num_pages(self) -> int | None:
        if self.count is None or not self.count.exact:
            return None
        return max(1, -(-self.count.value // self.size))


def count(queryset: QuerySet, cap: int | None = None) -> Count:
    """Rows of `queryset`, counted up to `cap` (COUNT_CAP); beyond it PostgreSQL's planner's
    estimate. A search whose rows are all listed (AnyOf.listed) is counted exactly."""
    cap = cap or COUNT_CAP
    any_of = AnyOf.of(queryset)
    if any_of is not None and any_of.all_listed:
        return Count(any_of.count(cap + 1, queryset.db), exact=True)
    if any_of is not None:
        counted = min(any_of.count(cap + 1, queryset.db), cap + 1)
    else:
        counted = queryset.order_by().values("pk")[: cap + 1].count()
    if counted <= cap:
        return Count(counted, exact=True)
    if connections[queryset.db].vendor == "postgresql":
        plan = json.loads(queryset.order_by().explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        return Count(_round(max(estimate, cap + 1)), exact=False, about=True)
    return Count(cap + 1, exact=False)


def _round(value: int) -> int:
    """Two significant figures: an estimate claims no more."""
    digits = len(str(value)) - 2
    return round(value, -digits) if digits > 0 else value


def sort_keys(queryset: QuerySet) -> list[str]:
    """The queryset's order as field names ("-email"), ending with the primary key."""
    keys = [str(key) for key in (queryset.query.order_by or queryset.model._meta.ordering)]
    names = {key.lstrip("-") for key in keys}
    if not names & {"pk", "id"}:
        keys.append("-pk" if keys and keys[-1].startswith("-") else "pk")
    for key in keys:
        if "__" in key or not key.lstrip("-").isidentifier():
            raise ValueError(f"Keyset pages need plain sort fields, not {key!r}.")
    return keys


def _after(keys: list[str], values: list[Any], backwards: bool) -> Q:
    """Rows after `values` in the order of `keys` (before them when `backwards`).

    (a, b, pk) > (x, y, p) is a >= x AND (a > x OR (b >= y AND (b > y OR pk > p)));
    the leading "a >= x" is what lets the database start its index scan at the cursor.
    """
    condition = None
    for key, value in reversed(list(zip(keys, values, strict=True))):
        name = key.lstrip("-")
        ascending = key.startswith("-") == backwards
        strict = Q(**{f"{name}__{'gt' if ascending else 'lt'}": value})
        loose = Q(**{f"{name}__{'gte' if ascending else 'lte'}": value})
        condition = strict if condition is None else loose & (strict | condition)
    return condition


def _seek(queryset: QuerySet, keys: list[str], values: list, backwards: bool, limit: int):
    """The first `limit` rows after `values` in the order of `keys` (before, `backwards`).

    With one sort field and the primary key, two index ranges one after the other: the
    rows tied with the cursor's value past its id, then those past the value. A single
    "a >= x AND (a > x OR pk > p)" range would read every row tied with x before the
    cursor's id, which for a status or type is half the table.
    """
    order = [_flip(key) for key in keys] if backwards else keys
    if len(keys) != 2:
        return _first(queryset, order, limit, _after(keys, values, backwards))
    (field, pk), (value, last) = keys, values
    name = field.lstrip("-")
    past = "gt" if field.startswith("-") == backwards else "lt"
    past_pk = "gt" if pk.startswith("-") == backwards else "lt"
    rows = _first(queryset, order, limit, Q(**{name: value, f"pk__{past_pk}": last}))
    if len(rows) < limit:
        rows += _first(queryset, order, limit - len(rows), Q(**{f"{name}__{past}": value}))
    return rows


def _encode(payload: dict) -> str:
    raw = json.dumps(payload, separators=(",", ":"), default=_plain).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(type(value))


def _decode(cursor: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidCursor("This cursor is not one this list gave.") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
        raise InvalidCursor("This cursor is not one this list gave.")
    return payload


def _values(row: Model, keys: list[str]) -> list[Any]:
    return [getattr(row, key.lstrip("-")) for key in keys]


def paginate(
    queryset: QuerySet,
    *,
    size: int,
    cursor: str | None = None,
    number: int | None = None,
    with_count: bool = True,
) -> Page:
    """One page of `queryset` in its own order: after the `cursor` (or before it, for a
    "previous" cursor), else page `number` while it lies within the first OFFSET_CAP rows,
    else the first page. InvalidCursor for a cursor of another order or none of ours."""
    keys = sort_keys(queryset)
    backwards = False
    if cursor:
        payload = _decode(cursor)
        if payload.get("k") != keys or len(payload["v"]) != len(keys):
            raise InvalidCursor("This cursor belongs to a list in another order.")
        backwards = payload.get("d") == "p"
        try:
            rows = _seek(queryset, keys, payload["v"], backwards, size + 1)
        except (ValueError, TypeError) as error:  # a hand-made cursor's values
            raise InvalidCursor("This cursor is not one this list gave.") from error
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        number = payload.get("n") if isinstance(payload.get("n"), int) else None
        has_previous, has_next = (more, True) if backwards else (True, more)
    else:
        number = number if number and (number - 1) * size < OFFSET_CAP else 1
        start = (number - 1) * size
        rows = _first(queryset, keys, start + size + 1)[start:]
        has_next, has_previous = len(rows) > size, number > 1
        rows = rows[:size]
    page = Page(rows=rows, number=number, size=size)
    if rows:
        if has_next:
            page.next_cursor = _cursor(keys, rows[-1], "n", number and number + 1)
        if has_previous:
            page.previous_cursor = _cursor(keys, rows[0], "p", number and number - 1)
    if with_count:
        if not cursor and not has_next and (rows or number == 1):
            # The last page by number: what came before it and its rows are all there is.
            page.count = Count((number - 1) * size + len(rows), exact=True)
        else:
            page.count = count(queryset)
    return page


def _cursor(keys: list[str], row: Model, direction: str, number: int | None) -> str:
    return _encode({"k": keys, "v": _values(row, keys), "d": direction, "n": number})


def _flip(key: str) -> str:
    return key[1:] if key.startswith("-") else f"-{key}"
