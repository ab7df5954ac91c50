"""Writes to cases and reason codes, each recorded in History.

A case takes its number from the workspace's "case" sequence. Its resolution date is the
service's to set: when the status becomes resolved or closed it is stamped (if not set
already), and reopening (open or pending) clears it. Nothing here assumes a staff user:
`actor` may be None (a command, or later the customer portal).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patron.cases.models import Case, ReasonCode
from patron.core.models import next_number
from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import create_with_history, record_change, update_with_history

REASON_CODE_FIELDS = ["name", "description"]
# What a person fills in; `resolved_at` follows the status (audited, never given).
CASE_FIELDS = ["subject", "status", "reason_code", "assignee", "logged_at", "description"]
AUDITED_CASE_FIELDS = ["number", "customer", *CASE_FIELDS, "resolved_at"]


def _stripped(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


# Reason codes -----------------------------------------------------------------------------


@transaction.atomic
def reason_code_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> ReasonCode:
    """Add a reason code; names are unique in the workspace whatever their case."""
    reason_code = ReasonCode(workspace=workspace, **_stripped(data))
    return create_with_history(
        instance=reason_code, actor=actor, fields=REASON_CODE_FIELDS, via=via
    )


@transaction.atomic
def reason_code_update(
    *, reason_code: ReasonCode, actor, data: dict[str, Any], via: str = "page"
) -> ReasonCode:
    """Rename or describe a reason code; its cases keep it."""
    reason_code = ReasonCode.objects.select_for_update().get(pk=reason_code.pk)
    return update_with_history(
        instance=reason_code, actor=actor, data=_stripped(data), fields=REASON_CODE_FIELDS, via=via
    )


@transaction.atomic
def reason_code_delete(*, reason_code: ReasonCode, actor, via: str = "page") -> None:
    """Delete a reason code no case uses; one in use stays, and the error says how many."""
    reason_code = ReasonCode.objects.select_for_update().get(pk=reason_code.pk)
    in_use = reason_code.cases.count()
    if in_use:
        raise ValidationError(
            f"{in_use} case{'s' if in_use != 1 else ''} use{'s' if in_use == 1 else ''} the "
            f"reason code {reason_code.name}: give {'them' if in_use != 1 else 'it'} another "
            "reason first, or keep the code.",
            code="in_use",
        )
    record_change(instance=reason_code, action=Change.Action.DELETE, actor=actor, via=via)
    reason_code.delete()


# Cases ------------------------------------------------------------------------------------


def _resolved_at(case: Case, new_status: str):
    """The resolution date that goes with moving `case` to `new_status`."""
    if new_status in Case.DONE:
        return case.resolved_at or timezone.now()
    return None


def _check_related(case: Case, data: dict[str, Any]) -> None:
    """Related rows of another workspace are refused before anything is saved (clean()
    says the same, but a foreign row must never be assigned even for a moment)."""
    reason_code = data.get("reason_code")
    if reason_code is not None and reason_code.workspace_id != case.workspace_id:
        raise ValidationError({"reason_code": "Choose a reason code of this workspace."})


@transaction.atomic
def case_create(*, customer, actor, data: dict[str, Any], via: str = "page") -> Case:
    """Log a case for `customer`, numbered from the workspace's sequence (1, 2, 3...).
    A failed validation rolls the number back with the rest."""
    # Read again: the caller's copy may predate a move to the recycle bin.
    customer = Customer.objects.get(pk=customer.pk)
    if customer.is_deleted:
        raise ValidationError({"customer": f"Customer {customer} is in the recycle bin."})
    data = _stripped(data)
    for name in data:
        if name not in CASE_FIELDS:
            raise ValueError(f"Not an editable case field: {name}")
    case = Case(workspace=customer.workspace, customer=customer)
    _check_related(case, data)
    for name, value in data.items():
        if value is not None or name != "logged_at":  # no logged time given: now
            setattr(case, name, value)
    case.resolved_at = _resolved_at(case, case.status)
    case.created_by = actor if getattr(actor, "pk", None) else None
    case.number = next_number(customer.workspace, "case")
    return create_with_history(instance=case, actor=actor, fields=AUDITED_CASE_FIELDS, via=via)


@transaction.atomic
def case_update(*, case: Case, actor, data: dict[str, Any], via: str = "page") -> Case:
    """Change any of CASE_FIELDS, the status among them; History records each change,
    the resolution date's too."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    data = _stripped(data)
    _check_related(case, data)
    if data.get("logged_at", "") is None:
        del data["logged_at"]  # cleared on a form: keep the time it had
    if "status" in data:
        data["resolved_at"] = _resolved_at(case, data["status"])
    return update_with_history(
        instance=case,
        actor=actor,
        data=data,
        fields=[*CASE_FIELDS, "resolved_at"],
        via=via,
    )


def case_set_status(*, case: Case, status: str, actor, via: str = "page") -> Case:
    """Move the case to `status` alone (the Resolve / Reopen buttons)."""
    if status not in Case.Status.values:
        labels = ", ".join(Case.Status.labels)
        raise ValidationError({"status": f"Choose one of the statuses: {labels}."})
    return case_update(case=case, actor=actor, data={"status": status}, via=via)


@transaction.atomic
def case_delete(*, case: Case, actor, via: str = "page") -> None:
    case = Case.objects.select_for_update().get(pk=case.pk)
    record_change(
        instance=case,
        action=Change.Action.DELETE,
        actor=actor,
        via=via,
        reason=f"Case {case.number} of {case.customer}: {case.subject}",
    )
    case.delete()
