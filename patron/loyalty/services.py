"""Writes to loyalty points and house accounts, each recorded in History.

A ledger entry is recorded as created on itself and as a change of the customer's
"Loyalty points" balance (old to new, with the entry's reason), so the customer's History
tab shows it. The customer row is locked while an entry is booked: two redemptions at the
same moment take turns, and the second sees the first's balance, so the balance can never
go below zero. A customer's house accounts are recorded as a change of its "House
accounts", like any other field. `actor` may be None (a command, later the portal).
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import create_with_history, record_change, update_with_history
from patron.loyalty.models import CustomerHouseAccount, HouseAccount, LoyaltyEntry

HOUSE_ACCOUNT_FIELDS = ["name", "credit_limit", "active"]
ENTRY_FIELDS = ["customer", "kind", "points", "reason"]


def _locked(customer: Customer) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_deleted:
        raise ValidationError({"customer": f"Customer {customer} is in the recycle bin."})
    return customer


def _record_customer(customer: Customer, field: str, label: str, old, new, actor, via, reason=""):
    if old != new:
        record_change(
            instance=customer,
            action=Change.Action.UPDATE,
            actor=actor,
            fields=[{"field": field, "label": label, "old": str(old), "new": str(new)}],
            via=via,
            reason=reason,
        )


# Loyalty points ---------------------------------------------------------------------------


def loyalty_balance(customer: Customer) -> int:
    """The customer's points: the sum of its ledger."""
    return customer.loyalty_entries.aggregate(total=Sum("points"))["total"] or 0


@transaction.atomic
def loyalty_entry_create(
    *, customer: Customer, kind: str, points: int, reason: str = "", actor, via: str = "page"
) -> LoyaltyEntry:
    """Book `points` (signed as the ledger keeps them: earned > 0, redeemed < 0, an
    adjustment either way with a reason). An entry that would take the balance below zero
    is refused, and nothing is booked."""
    customer = _locked(customer)
    entry = LoyaltyEntry(
        workspace=customer.workspace,
        customer=customer,
        kind=kind,
        points=points,
        reason=(reason or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    entry.full_clean()
    before = loyalty_balance(customer)
    after = before + entry.points
    if after < 0:
        what = "redeeming" if kind == LoyaltyEntry.Kind.REDEEMED else "taking away"
        raise ValidationError(
            {
                "points": f"{customer} has {before} point{'s' if before != 1 else ''}: "
                f"{what} {-entry.points} would take the balance below zero."
            },
            code="insufficient",
        )
    create_with_history(instance=entry, actor=actor, fields=ENTRY_FIELDS, via=via)
    _record_customer(
        customer,
        "loyalty_points",
        "Loyalty points",
        before,
        after,
        actor,
        via,
        reason=f"{entry.get_kind_display()}{': ' + entry.reason if entry.reason else ''}",
    )
    return entry


def loyalty_earn(*, customer, points: int, actor, reason: str = "", via: str = "page"):
    """Add Points (manual 002): `points` earned, a positive number."""
    return loyalty_entry_create(
        customer=customer,
        kind=LoyaltyEntry.Kind.EARNED,
        points=points,
        reason=reason,
        actor=actor,
        via=via,
    )


def loyalty_redeem(*, customer, points: int, actor, reason: str = "", via: str = "page"):
    """Redeem `points` (a positive number): booked as a negative entry."""
    if points is None or points <= 0:
        raise ValidationError({"points": "Say how many points to redeem: 1 or more."})
    return loyalty_entry_create(
        customer=customer,
        kind=LoyaltyEntry.Kind.REDEEMED,
        points=-points,
        reason=reason,
        actor=actor,
        via=via,
    )


# House accounts ---------------------------------------------------------------------------


@transaction.atomic
def house_account_create(
    *, workspace, actor, data: dict[str, Any], via: str = "page"
) -> HouseAccount:
    """Add a house account; names are unique in the workspace whatever their case."""
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    account = HouseAccount(workspace=workspace, **data)
    return create_with_history(instance=account, actor=actor, fields=HOUSE_ACCOUNT_FIELDS, via=via)


@transaction.atomic
def house_account_update(
    *, house_account: HouseAccount, actor, data: dict[str, Any], via: str = "page"
) -> HouseAccount:
    """Rename it, change its credit limit, or make it (in)active; customers keep it."""
    account = HouseAccount.objects.select_for_update().get(pk=house_account.pk)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    return update_with_history(
        instance=account, actor=actor, data=data, fields=HOUSE_ACCOUNT_FIELDS, via=via
    )


def house_account_usage(house_account: HouseAccount) -> int:
    """How many customers have the account."""
    return house_account.customer_links.count()


@transaction.atomic
def house_account_delete(*, house_account: HouseAccount, actor, via: str = "page") -> None:
    """Delete an account no customer has; one in use stays (make it inactive instead)."""
    account = HouseAccount.objects.select_for_update().get(pk=house_account.pk)
    in_use = house_account_usage(account)
    if in_use:
        raise ValidationError(
            f"{in_use} customer{'s' if in_use != 1 else ''} ha{'ve' if in_use != 1 else 's'} "
            f"the house account {account.name}: take it off "
            f"{'them' if in_use != 1 else 'that customer'} first, or make it inactive.",
            code="in_use",
        )
    record_change(instance=account, action=Change.Action.DELETE, actor=actor, via=via)
    account.delete()


def _accounts_text(customer: Customer) -> str:
    names = customer.customer_house_accounts.values_list("house_account__name", flat=True)
    return ", ".join(sorted(names, key=str.lower))


def _check_account(customer: Customer, account: HouseAccount, field: str) -> None:
    if account.workspace_id != customer.workspace_id:
        raise ValidationError({field: "Choose a house account of this workspace."})


@transaction.atomic
def customer_house_accounts_set(
    *, customer: Customer, house_accounts: Iterable[HouseAccount], actor, via: str = "page"
) -> None:
    """Make exactly `house_accounts` the customer's (Select House Accounts, manual 002).
    An inactive account the customer already has may stay; a new one must be active."""
    customer = _locked(customer)
    # Read again: whether an account is active is the database's word, not the caller's copy.
    wanted = {
        account.pk: account
        for account in HouseAccount.objects.filter(pk__in=[a.pk for a in house_accounts])
    }
    present = set(customer.customer_house_accounts.values_list("house_account_id", flat=True))
    for pk, account in wanted.items():
        _check_account(customer, account, "house_accounts")
        if pk not in present and not account.active:
            raise ValidationError(
                {"house_accounts": f"The house account {account.name} is inactive."}
            )
    before = _accounts_text(customer)
    customer.customer_house_accounts.exclude(house_account_id__in=wanted).delete()
    CustomerHouseAccount.objects.bulk_create(
        CustomerHouseAccount(workspace=customer.workspace, customer=customer, house_account=acc)
        for pk, acc in wanted.items()
        if pk not in present
    )
    after = _accounts_text(customer)
    _record_customer(customer, "house_accounts", "House accounts", before, after, actor, via)


@transaction.atomic
def customer_house_account_add(
    *, customer: Customer, house_account: HouseAccount, actor, via: str = "page"
) -> CustomerHouseAccount:
    """Give the customer one (active) house account; having it already is an error."""
    customer = _locked(customer)
    house_account = HouseAccount.objects.get(pk=house_account.pk)
    _check_account(customer, house_account, "house_account")
    if not house_account.active:
        raise ValidationError(
            {"house_account": f"The house account {house_account.name} is inactive."}
        )
    if customer.customer_house_accounts.filter(house_account=house_account).exists():
        raise ValidationError(
            {"house_account": f"{customer} already has the house account {house_account.name}."}
        )
    before = _accounts_text(customer)
    link = CustomerHouseAccount.objects.create(
        workspace=customer.workspace, customer=customer, house_account=house_account
    )
    _record_customer(
        customer, "house_accounts", "House accounts", before, _accounts_text(customer), actor, via
    )
    return link


@transaction.atomic
def customer_house_account_remove(*, link: CustomerHouseAccount, actor, via: str = "page") -> None:
    customer = _locked(link.customer)
    before = _accounts_text(customer)
    link.delete()
    _record_customer(
        customer, "house_accounts", "House accounts", before, _accounts_text(customer), actor, via
    )
