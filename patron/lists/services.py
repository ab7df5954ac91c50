"""Writes to customer lists and their members, each recorded in History.

Every path that puts customers in a list goes through `list_add_customers` (or
`list_add_customer` for one), and so through `rules.eligible`: no path can add a customer
the list must refuse.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from patron.campaigns.models import Activity, Fulfilment
from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import differences, record_change, snapshot
from patron.lists import rules
from patron.lists.models import CustomerList, ListEntry
from patron.marketing.models import SuppressionType, Trait

FIELDS = [
    "name",
    "description",
    "usage",
    "source",
    "vendor",
    "cost",
    "expiry_date",
    "usage_frequency",
    "suppressions",
    "traits",
    "activities",
]
RELATED = {"suppressions": SuppressionType, "traits": Trait, "activities": Activity}
VIA_WORDS = {
    CustomerList.Origin.HAND: "by hand",
    CustomerList.Origin.SEARCH: "from a search",
    CustomerList.Origin.FULFILMENTS: "from fulfilments",
    CustomerList.Origin.IMPORT: "by import",
}


def _check_related(workspace, data: dict[str, Any]) -> None:
    """Suppressions, traits and activities must be the workspace's own."""
    errors = {}
    for name, model in RELATED.items():
        for item in data.get(name) or []:
            if not isinstance(item, model) or item.workspace_id != workspace.pk:
                errors[name] = f"Choose {name} of this workspace."
    if errors:
        raise ValidationError(errors)


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    plain = {k: v for k, v in data.items() if k not in RELATED}
    return plain, {k: v for k, v in data.items() if k in RELATED}


@transaction.atomic
def list_create(
    *,
    workspace,
    actor,
    data: dict[str, Any],
    origin: str = CustomerList.Origin.HAND,
    search: str = "",
    via: str = "page",
) -> CustomerList:
    _check_related(workspace, data)
    plain, related = _split(data)
    customer_list = CustomerList(
        workspace=workspace,
        origin=origin,
        search=search,
        created_by=actor if getattr(actor, "pk", None) else None,
        **plain,
    )
    customer_list.full_clean()
    customer_list.save()
    for name, items in related.items():
        getattr(customer_list, name).set(items)
    record_change(
        instance=customer_list,
        action=Change.Action.CREATE,
        actor=actor,
        fields=_created_fields(customer_list),
        via=via,
    )
    return customer_list


def _created_fields(customer_list: CustomerList) -> list[dict[str, str]]:
    return differences({}, snapshot(customer_list, FIELDS))


@transaction.atomic
def list_update(
    *, customer_list: CustomerList, actor, data: dict[str, Any], via: str = "page"
) -> CustomerList:
    """Change a list's details and rules. Customers already in it stay: changed rules
    apply to customers added from now on (`list_remove_unqualified` removes the others)."""
    customer_list = CustomerList.objects.select_for_update().get(pk=customer_list.pk)
    _check_related(customer_list.workspace, data)
    plain, related = _split(data)
    before = snapshot(customer_list, FIELDS)
    for name, value in plain.items():
        if name not in FIELDS:
            raise ValueError(f"Not an editable customer list field: {name}")
        setattr(customer_list, name, value)
    customer_list.full_clean()
    customer_list.save()
    for name, items in related.items():
        getattr(customer_list, name).set(items)
    record_change(
        instance=customer_list,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=differences(before, snapshot(customer_list, FIELDS)),
        via=via,
    )
    return customer_list


@transaction.atomic
def list_delete(*, customer_list: CustomerList, actor, via: str = "page") -> int:
    """Delete a list and its entries (the customers stay); returns how many entries went."""
    count = customer_list.entries.count()
    record_change(
        instance=customer_list,
        action=Change.Action.DELETE,
        actor=actor,
        via=via,
        reason=f"{count} customers were in the list",
    )
    # One DELETE ... WHERE customer_list_id = x: entries have nothing hanging off them.
    ListEntry.objects.filter(customer_list=customer_list)._raw_delete(ListEntry.objects.db)
    customer_list.delete()
    return count


def _lock(customer_list: CustomerList) -> CustomerList:
    return CustomerList.objects.select_for_update().get(pk=customer_list.pk)


def _not_in(customer_list: CustomerList) -> Exists:
    return ~Exists(ListEntry.objects.filter(customer_list=customer_list, customer=OuterRef("pk")))


def _plain(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """A queryset selecting each customer once: a search through tags or stores joins
    other tables and may repeat a customer, so it becomes an `id IN (...)` test."""
    customers = customers.order_by()
    joined = [alias for alias, refs in customers.query.alias_refcount.items() if refs]
    if len(joined) > 1 or customers.query.distinct:
        return Customer.objects.filter(pk__in=customers.values("pk"))
    return customers


def _insert_entries(customer_list: CustomerList, customers: QuerySet, actor, via: str) -> int:
    """INSERT INTO lists_listentry ... SELECT over `customers`' SQL: one statement."""
    chosen = customers.annotate(chosen_id=F("pk")).values_list("chosen_id")
    select_sql, select_params = chosen.query.sql_with_params()
    ops = connection.ops
    table = ListEntry._meta.db_table
    sql = (
        f"INSERT INTO {ops.quote_name(table)} "
        "(customer_list_id, customer_id, added_at, added_by_id, via) "
        f"SELECT %s, chosen.chosen_id, %s, %s, %s FROM ({select_sql}) chosen WHERE 1 = 1 "
        "ON CONFLICT (customer_list_id, customer_id) DO NOTHING"
    )
    params = [
        customer_list.pk,
        ops.adapt_datetimefield_value(timezone.now()),
        actor.pk if getattr(actor, "pk", None) else None,
        str(via),
        *select_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _record_members_change(customer_list, actor, words: str, via: str) -> None:
    record_change(
        instance=customer_list,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=[{"field": "customers", "label": "Customers", "old": "", "new": words}],
        via=via,
    )


@transaction.atomic
def list_add_customers(
    *,
    customer_list: CustomerList,
    customers: QuerySet[Customer],
    actor,
    via: str = CustomerList.Origin.SEARCH,
    channel: str = "page",
) -> tuple[int, int]:
    """Add the customers of `customers` that the list's rules allow, in one statement.

    Returns (added, refused): customers already in the list count as neither.
    """
    customer_list = _lock(customer_list)
    candidates = _plain(customers).filter(workspace=customer_list.workspace_id)
    if customer_list.entries.exists():  # a new list (the wizard's) skips the test
        candidates = candidates.filter(_not_in(customer_list))
    total = candidates.count()
    added = _insert_entries(customer_list, rules.eligible(candidates, customer_list), actor, via)
    if added:
        words = f"added {added} customers {VIA_WORDS.get(via, via)}"
        _record_members_change(customer_list, actor, words, channel)
    return added, total - added


def _customer_lists_change(customer: Customer, actor, before: list[str], via: str) -> None:
    after = sorted(
        CustomerList.objects.filter(entries__customer=customer).values_list("name", flat=True)
    )
    record_change(
        instance=customer,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=[
            {
                "field": "customer_lists",
                "label": "Customer lists",
                "old": ", ".join(before),
                "new": ", ".join(after),
            }
        ],
        via=via,
    )


def _names_of_lists(customer: Customer) -> list[str]:
    return sorted(
        CustomerList.objects.filter(entries__customer=customer).values_list("name", flat=True)
    )


@transaction.atomic
def list_add_customer(
    *,
    customer_list: CustomerList,
    customer: Customer,
    actor,
    via: str = CustomerList.Origin.HAND,
    channel: str = "page",
) -> bool:
    """Add one customer; ValidationError with the reasons when the rules refuse it.
    Returns False if it was already in the list."""
    customer_list = _lock(customer_list)
    if customer.workspace_id != customer_list.workspace_id:
        raise ValidationError("Choose a customer of this workspace.")
    if customer_list.entries.filter(customer=customer).exists():
        return False
    reasons = rules.reasons_cannot_join(customer, customer_list)
    if reasons:
        raise ValidationError(
            [f"{customer} cannot join {customer_list}: {reason}." for reason in reasons]
        )
    before = _names_of_lists(customer)
    ListEntry.objects.create(
        customer_list=customer_list,
        customer=customer,
        added_by=actor if getattr(actor, "pk", None) else None,
        via=via,
    )
    _customer_lists_change(customer, actor, before, channel)
    _record_members_change(customer_list, actor, f"added {customer} {VIA_WORDS[via]}", channel)
    return True


@transaction.atomic
def list_remove_customer(
    *, customer_list: CustomerList, customer: Customer, actor, channel: str = "page"
) -> bool:
    """Take one customer out of a list; False if it was not in it."""
    before = _names_of_lists(customer)
    deleted, _ = ListEntry.objects.filter(customer_list=customer_list, customer=customer).delete()
    if deleted:
        _customer_lists_change(customer, actor, before, channel)
        _record_members_change(customer_list, actor, f"removed {customer}", channel)
    return bool(deleted)


@transaction.atomic
def list_remove_customers(
    *, customer_list: CustomerList, customers: QuerySet[Customer], actor, channel: str = "page"
) -> int:
    """Take the customers of `customers` out of the list in one statement."""
    customer_list = _lock(customer_list)
    entries = ListEntry.objects.filter(
        customer_list=customer_list, customer__in=_plain(customers).values("pk")
    )
    removed = entries._raw_delete(ListEntry.objects.db)
    if removed:
        _record_members_change(customer_list, actor, f"removed {removed} customers", channel)
    return removed


def _members(customer_list: CustomerList) -> QuerySet[Customer]:
    return Customer.objects.filter(
        pk__in=ListEntry.objects.filter(customer_list=customer_list).values("customer_id")
    )


def unqualified(customer_list: CustomerList) -> QuerySet[Customer]:
    """Customers in the list that its current rules would refuse (rules changed since)."""
    qualified = rules.eligible(Customer.objects.filter(pk=OuterRef("pk")), customer_list)
    # NOT EXISTS, never NOT IN: PostgreSQL plans it as an anti-join at any size.
    return _members(customer_list).filter(~Exists(qualified))


def unqualified_count(customer_list: CustomerList) -> int:
    """How many `unqualified` there are: members less those the rules still take, two
    counts that use the same set joins as building the list."""
    members = _members(customer_list)
    return members.count() - rules.eligible(members, customer_list).count()


@transaction.atomic
def list_remove_unqualified(*, customer_list: CustomerList, actor, channel: str = "page") -> int:
    """Remove the customers who no longer meet the list's rules."""
    customer_list = _lock(customer_list)
    return list_remove_customers(
        customer_list=customer_list,
        customers=unqualified(customer_list),
        actor=actor,
        channel=channel,
    )


@transaction.atomic
def customer_lists_set(
    *, customer: Customer, lists: list[CustomerList], actor, via: str = "page"
) -> tuple[list[CustomerList], list[CustomerList]]:
    """The "Add/remove from a customer list" page: `customer` ends up in exactly `lists`
    (of its workspace). A list whose rules refuse it is a ValidationError naming the list
    and the reasons, and nothing changes. Returns (joined, left)."""
    wanted = {item.pk: item for item in lists}
    if any(item.workspace_id != customer.workspace_id for item in lists):
        raise ValidationError("Choose customer lists of this workspace.")
    current = set(customer.list_entries.values_list("customer_list", flat=True))
    joining = [wanted[pk] for pk in wanted if pk not in current]
    refusals = []
    for customer_list, reasons in zip(
        joining, rules.reasons_by_list(customer, joining), strict=True
    ):
        if reasons:
            refusals.append(f"{customer_list}: {customer} {'; '.join(reasons)}.")
    if refusals:
        raise ValidationError(refusals)
    leaving = list(CustomerList.objects.filter(pk__in=current - set(wanted)))
    if not joining and not leaving:
        return [], []
    before = _names_of_lists(customer)
    by = actor if getattr(actor, "pk", None) else None
    hand = CustomerList.Origin.HAND
    ListEntry.objects.bulk_create(
        [ListEntry(customer_list=j, customer=customer, added_by=by, via=hand) for j in joining]
    )
    ListEntry.objects.filter(customer=customer, customer_list__in=leaving).delete()
    _customer_lists_change(customer, actor, before, via)
    for item in joining:
        _record_members_change(item, actor, f"added {customer} by hand", via)
    for item in leaving:
        _record_members_change(item, actor, f"removed {customer}", via)
    return joining, leaving


@transaction.atomic
def list_from_fulfilments(
    *, activity: Activity, actor, data: dict[str, Any], via: str = "page"
) -> tuple[CustomerList, int, int]:
    """A new list of the customers fulfilled under `activity` that its rules allow.
    Returns (list, added, refused)."""
    customer_list = list_create(
        workspace=activity.workspace,
        actor=actor,
        data={**data, "activities": [activity]},
        origin=CustomerList.Origin.FULFILMENTS,
        via=via,
    )
    fulfilled = Customer.objects.filter(
        workspace=activity.workspace_id,
        pk__in=Fulfilment.objects.filter(activity=activity).values("customer"),
    )
    added, refused = list_add_customers(
        customer_list=customer_list,
        customers=fulfilled,
        actor=actor,
        via=CustomerList.Origin.FULFILMENTS,
        channel=via,
    )
    return customer_list, added, refused


@transaction.atomic
def list_create_from_search(
    *,
    workspace,
    actor,
    data: dict[str, Any],
    customers: QuerySet[Customer],
    search: str = "",
    via: str = "page",
) -> tuple[CustomerList, int, int]:
    """ "Create customer list": a new list holding the customers of a search that its
    rules allow. Returns (list, added, refused)."""
    customer_list = list_create(
        workspace=workspace,
        actor=actor,
        data=data,
        origin=CustomerList.Origin.SEARCH,
        search=search,
        via=via,
    )
    added, refused = list_add_customers(
        customer_list=customer_list, customers=customers, actor=actor, channel=via
    )
    return customer_list, added, refused
