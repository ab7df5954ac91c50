"""Logging cold calls, for an existing customer or one created in the same step."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patron.calls.models import ColdCall
from patron.customers.models import Customer
from patron.customers.services import customer_create
from patron.history.models import Change
from patron.history.services import create_with_history, record_change, update_with_history

CALL_FIELDS = ["customer", "called_at", "outcome", "notes", "follow_up_on"]


def _check_follow_up(follow_up_on) -> None:
    """A new or changed follow-up date lies ahead; an old call keeps its past one."""
    if follow_up_on and follow_up_on < timezone.localdate():
        raise ValidationError({"follow_up_on": "The follow-up date cannot be in the past."})


@transaction.atomic
def cold_call_log(
    *,
    workspace,
    actor,
    data: dict[str, Any],
    customer: Customer | None = None,
    new_customer: dict[str, Any] | None = None,
    via: str = "page",
) -> ColdCall:
    """Log a call. With `new_customer` instead of `customer`, the prospect is created too;
    a bad call or bad customer data saves neither (one transaction).
    """
    if (customer is None) == (new_customer is None):
        raise ValidationError("Log the call for an existing customer or a new one, not both.")
    _check_follow_up(data.get("follow_up_on"))
    if new_customer is not None:
        try:
            customer = customer_create(
                workspace=workspace,
                actor=actor,
                data={"customer_type": Customer.Type.PROSPECT, **new_customer},
                via=via,
            )
        except ValidationError as error:
            raise ValidationError(
                {
                    f"new_customer.{field}": messages
                    for field, messages in error.message_dict.items()
                }
            ) from error
    call = ColdCall(workspace=workspace, customer=customer, caller=actor, **data)
    return create_with_history(instance=call, actor=actor, fields=CALL_FIELDS, via=via)


@transaction.atomic
def cold_call_update(*, call: ColdCall, actor, data: dict[str, Any], via: str = "page") -> ColdCall:
    call = ColdCall.objects.select_for_update().get(pk=call.pk)
    if "follow_up_on" in data and data["follow_up_on"] != call.follow_up_on:
        _check_follow_up(data["follow_up_on"])
    if "customer" in data:
        raise ValueError("A logged call stays with its customer.")
    return update_with_history(instance=call, actor=actor, data=data, fields=CALL_FIELDS, via=via)


@transaction.atomic
def cold_call_delete(*, call: ColdCall, actor, via: str = "page") -> None:
    record_change(instance=call, action=Change.Action.DELETE, actor=actor, via=via)
    call.delete()
