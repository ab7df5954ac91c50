"""Writes to third parties, each recorded in History."""

from typing import Any

from django.db import transaction

from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import differences, record_change, snapshot
from patron.thirdparties.models import ThirdParty

FIELDS = [
    "name",
    "contract_no",
    "contract_start",
    "contract_end",
    "contract_value",
    "currency",
    "item_usage",
]


@transaction.atomic
def third_party_add(
    *, customer: Customer, actor, data: dict[str, Any], via: str = "page"
) -> ThirdParty:
    third_party = ThirdParty(workspace=customer.workspace, customer=customer, **data)
    third_party.full_clean()
    third_party.save()
    record_change(
        instance=third_party,
        action=Change.Action.CREATE,
        actor=actor,
        fields=differences({}, snapshot(third_party, FIELDS)),
        via=via,
    )
    return third_party


@transaction.atomic
def third_party_update(
    *, third_party: ThirdParty, actor, data: dict[str, Any], via: str = "page"
) -> ThirdParty:
    third_party = ThirdParty.objects.select_for_update().get(pk=third_party.pk)
    before = snapshot(third_party, FIELDS)
    for name, value in data.items():
        if name not in FIELDS:
            raise ValueError(f"Not an editable third-party field: {name}")
        setattr(third_party, name, value)
    third_party.full_clean()
    third_party.save()
    record_change(
        instance=third_party,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=differences(before, snapshot(third_party, FIELDS)),
        via=via,
    )
    return third_party


@transaction.atomic
def third_party_remove(*, third_party: ThirdParty, actor, via: str = "page") -> None:
    record_change(instance=third_party, action=Change.Action.DELETE, actor=actor, via=via)
    third_party.delete()
