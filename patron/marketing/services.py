"""Writes to traits and suppressions (manual 000), each recorded in History.

Definitions (traits, suppression types) are the managers' set-up; what a customer has
(its traits, its suppressions) is recorded in that customer's History as a change of its
"Traits" or "Suppressions", old names to new names, like any other field.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from patron.core.models import same_name_in_workspace
from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import create_with_history, record_change, update_with_history
from patron.marketing.models import CustomerTrait, Suppression, SuppressionType, Trait

TRAIT_FIELDS = ["name", "description"]
SUPPRESSION_TYPE_FIELDS = ["name", "description", "blocks"]
SUPPRESSION_FIELDS = ["date", "note"]


def _stripped(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


def _in_workspace(customer: Customer, row, field: str, what: str) -> None:
    if row.workspace_id != customer.workspace_id:
        raise ValidationError({field: f"Choose {what} of this workspace."})


def _locked(customer: Customer) -> Customer:
    # Two people changing the same customer's traits or suppressions take turns, so each
    # History row's "old" is what the other left.
    return Customer.objects.select_for_update().get(pk=customer.pk)


def _name_is_free(row: Trait | SuppressionType, name: str) -> None:
    """Names are unique in a workspace whatever their case; say so on the name field (the
    database constraint would say it about the whole record)."""
    taken = same_name_in_workspace(row, name)
    if taken:
        what = row._meta.verbose_name
        raise ValidationError({"name": f"A {what} named {taken.name} already exists."})


def _record_customer(customer: Customer, field: str, label: str, old: str, new: str, actor, via):
    if old != new:
        record_change(
            instance=customer,
            action=Change.Action.UPDATE,
            actor=actor,
            fields=[{"field": field, "label": label, "old": old, "new": new}],
            via=via,
        )


# Traits -----------------------------------------------------------------------------------


@transaction.atomic
def trait_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Trait:
    """Define a trait ("Golfer"); names are unique in a workspace, whatever their case."""
    trait = Trait(workspace=workspace, **_stripped(data))
    _name_is_free(trait, trait.name)
    return create_with_history(instance=trait, actor=actor, fields=TRAIT_FIELDS, via=via)


@transaction.atomic
def trait_update(*, trait: Trait, actor, data: dict[str, Any], via: str = "page") -> Trait:
    """Rename or describe a trait; customers and lists keep it."""
    trait = Trait.objects.select_for_update().get(pk=trait.pk)
    data = _stripped(data)
    _name_is_free(trait, data.get("name", trait.name))
    return update_with_history(instance=trait, actor=actor, data=data, fields=TRAIT_FIELDS, via=via)


def trait_usage(trait: Trait) -> dict[str, int]:
    """How many customers have the trait and how many lists require it."""
    return {"customers": trait.customer_traits.count(), "lists": trait.customer_lists.count()}


@transaction.atomic
def trait_delete(*, trait: Trait, actor, via: str = "page") -> int:
    """Delete a trait: the customers that have it lose it (each in its History) and lists
    no longer require it. Returns how many customers had it."""
    customer_ids = list(trait.customer_traits.values_list("customer_id", flat=True))
    names: dict[int, list[str]] = defaultdict(list)
    for customer_id, name in CustomerTrait.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "trait__name"
    ):
        names[customer_id].append(name)
    customer_type = ContentType.objects.get_for_model(Customer)
    Change.objects.bulk_create(
        Change(
            workspace_id=trait.workspace_id,
            content_type=customer_type,
            object_id=customer_id,
            action=Change.Action.UPDATE,
            fields=[
                {
                    "field": "traits",
                    "label": "Traits",
                    "old": ", ".join(sorted(names[customer_id])),
                    "new": ", ".join(sorted(n for n in names[customer_id] if n != trait.name)),
                }
            ],
            actor=actor if getattr(actor, "pk", None) else None,
            via=via,
            reason=f"The trait {trait.name} was deleted.",
        )
        for customer_id in customer_ids
    )
    record_change(
        instance=trait,
        action=Change.Action.DELETE,
        actor=actor,
        via=via,
        reason=f"Removed from {len(customer_ids)} customer(s).",
    )
    trait.delete()
    return len(customer_ids)


# Suppression types ------------------------------------------------------------------------


@transaction.atomic
def suppression_type_create(
    *, workspace, actor, data: dict[str, Any], via: str = "page"
) -> SuppressionType:
    """Define a suppression type ("Do not phone") and the lists it keeps customers off."""
    suppression_type = SuppressionType(workspace=workspace, **_stripped(data))
    _name_is_free(suppression_type, suppression_type.name)
    return create_with_history(
        instance=suppression_type, actor=actor, fields=SUPPRESSION_TYPE_FIELDS, via=via
    )


@transaction.atomic
def suppression_type_update(
    *, suppression_type: SuppressionType, actor, data: dict[str, Any], via: str = "page"
) -> SuppressionType:
    suppression_type = SuppressionType.objects.select_for_update().get(pk=suppression_type.pk)
    data = _stripped(data)
    _name_is_free(suppression_type, data.get("name", suppression_type.name))
    return update_with_history(
        instance=suppression_type,
        actor=actor,
        data=data,
        fields=SUPPRESSION_TYPE_FIELDS,
        via=via,
    )


@transaction.atomic
def suppression_type_delete(*, suppression_type: SuppressionType, actor, via: str = "page") -> None:
    """Delete a suppression type no customer has; lists that named it no longer do."""
    suppression_type = SuppressionType.objects.select_for_update().get(pk=suppression_type.pk)
    in_use = suppression_type.suppressions.count()
    if in_use:
        raise ValidationError(
            f"{in_use} customer(s) have the suppression {suppression_type.name}: delete "
            "those suppressions first, or keep the type.",
            code="in_use",
        )
    record_change(instance=suppression_type, action=Change.Action.DELETE, actor=actor, via=via)
    suppression_type.delete()


# A customer's traits ----------------------------------------------------------------------


def _traits_text(customer: Customer) -> str:
    return ", ".join(
        sorted(customer.customer_traits.values_list("trait__name", flat=True), key=str.lower)
    )


@transaction.atomic
def customer_traits_set(
    *, customer: Customer, traits: Iterable[Trait], actor, via: str = "page"
) -> None:
    """Make exactly `traits` the customer's traits (the Add/Remove Traits checkboxes)."""
    customer = _locked(customer)
    wanted = {trait.pk: trait for trait in traits}
    for trait in wanted.values():
        _in_workspace(customer, trait, "traits", "traits")
    before = _traits_text(customer)
    customer.customer_traits.exclude(trait_id__in=wanted).delete()
    present = set(customer.customer_traits.values_list("trait_id", flat=True))
    CustomerTrait.objects.bulk_create(
        CustomerTrait(workspace=customer.workspace, customer=customer, trait=trait)
        for pk, trait in wanted.items()
        if pk not in present
    )
    _record_customer(customer, "traits", "Traits", before, _traits_text(customer), actor, via)


@transaction.atomic
def customer_trait_add(
    *, customer: Customer, trait: Trait, actor, via: str = "page"
) -> CustomerTrait:
    """Give the customer one trait; having it already is an error that says so."""
    customer = _locked(customer)
    _in_workspace(customer, trait, "trait", "a trait")
    if customer.customer_traits.filter(trait=trait).exists():
        raise ValidationError({"trait": f"{customer} already has the trait {trait.name}."})
    before = _traits_text(customer)
    link = CustomerTrait(workspace=customer.workspace, customer=customer, trait=trait)
    link.full_clean()
    link.save()
    _record_customer(customer, "traits", "Traits", before, _traits_text(customer), actor, via)
    return link


@transaction.atomic
def customer_trait_remove(*, customer_trait: CustomerTrait, actor, via: str = "page") -> None:
    customer = _locked(customer_trait.customer)
    before = _traits_text(customer)
    customer_trait.delete()
    _record_customer(customer, "traits", "Traits", before, _traits_text(customer), actor, via)


# A customer's suppressions ----------------------------------------------------------------


def _suppressions_text(customer: Customer) -> str:
    """ "Deceased since 03/01/2026 (told by her son), Do not mail since ..." for History."""
    return ", ".join(
        f"{s} ({s.note})" if s.note else str(s)
        for s in customer.suppressions.select_related("suppression_type")
    )


@transaction.atomic
def suppression_add(
    *,
    customer: Customer,
    suppression_type: SuppressionType,
    actor,
    date: datetime.date | None = None,
    note: str = "",
    via: str = "page",
) -> Suppression:
    """Suppress the customer from `date` (today when not given): lists whose usage the
    type blocks, or that name it, refuse the customer. Each type once per customer."""
    customer = _locked(customer)
    _in_workspace(customer, suppression_type, "suppression_type", "a suppression type")
    if customer.suppressions.filter(suppression_type=suppression_type).exists():
        raise ValidationError(
            {"suppression_type": f"{customer} already has the suppression {suppression_type}."}
        )
    before = _suppressions_text(customer)
    suppression = Suppression(
        workspace=customer.workspace,
        customer=customer,
        suppression_type=suppression_type,
        note=(note or "").strip(),
    )
    if date is not None:
        suppression.date = date
    suppression.full_clean()
    suppression.save()
    _record_customer(
        customer, "suppressions", "Suppressions", before, _suppressions_text(customer), actor, via
    )
    return suppression


@transaction.atomic
def suppression_update(
    *, suppression: Suppression, actor, data: dict[str, Any], via: str = "page"
) -> Suppression:
    """Correct a suppression's date or note (its type is changed by delete and add)."""
    customer = _locked(suppression.customer)
    suppression = Suppression.objects.get(pk=suppression.pk)
    before = _suppressions_text(customer)
    for name, value in _stripped(data).items():
        if name not in SUPPRESSION_FIELDS:
            raise ValueError(f"Not an editable suppression field: {name}")
        setattr(suppression, name, value)
    suppression.full_clean()
    suppression.save()
    _record_customer(
        customer, "suppressions", "Suppressions", before, _suppressions_text(customer), actor, via
    )
    return suppression


@transaction.atomic
def suppression_delete(*, suppression: Suppression, actor, via: str = "page") -> None:
    customer = _locked(suppression.customer)
    before = _suppressions_text(customer)
    suppression.delete()
    _record_customer(
        customer, "suppressions", "Suppressions", before, _suppressions_text(customer), actor, via
    )
