"""Writes to third parties, each recorded in History."""

from typing import Any

from django.db import transaction

from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import create_with_history, record_change, update_with_history
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
    return create_with_history(instance=third_party, actor=actor, fields=FIELDS, via=via)


@transaction.atomic
def third_party_update(
    *, third_party: ThirdParty, actor, data: dict[str, Any], via: str = "page"
) -> ThirdParty:
    third_party = ThirdParty.objects.select_for_update().get(pk=third_party.pk)
    return update_with_history(instance=third_party, actor=actor, data=data, fields=FIELDS, via=via)


@transaction.atomic
def third_party_remove(*, third_party: ThirdParty, actor, via: str = "page") -> None:
    record_change(instance=third_party, action=Change.Action.DELETE, actor=actor, via=via)
    third_party.delete()
