from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patron.cases import services
from patron.cases.models import Case, ReasonCode
from patron.customers.services import customer_delete
from patron.history.services import changes_for
from patron.testing.factories import MembershipFactory, UserFactory, make_customer


def test_cases_are_numbered_per_workspace(customer, admin, other_workspace):
    first = services.case_create(customer=customer, actor=admin, data={"subject": "One"})
    second = services.case_create(customer=customer, actor=admin, data={"subject": "Two"})
    elsewhere = services.case_create(
        customer=make_customer(other_workspace), actor=None, data={"subject": "Other"}
    )
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert first.status == Case.Status.OPEN and first.resolved_at is None
    assert first.created_by == admin
    assert abs(first.logged_at - timezone.now()) < timedelta(minutes=1)


def test_creating_records_history(case):
    change = changes_for(case).get()
    assert change.action == "create"
    recorded = {field["field"]: field["new"] for field in change.fields}
    assert recorded["subject"] == "Kettle leaks"
    assert recorded["reason_code"] == "Faulty goods"
    assert recorded["status"] == "Open"


def test_resolving_sets_the_date_and_reopening_clears_it(case, admin):
    case = services.case_set_status(case=case, status="resolved", actor=admin)
    resolved_at = case.resolved_at
    assert resolved_at is not None
    case = services.case_set_status(case=case, status="closed", actor=admin)
    assert case.resolved_at == resolved_at, "closing a resolved case keeps its date"
    case = services.case_set_status(case=case, status="open", actor=admin)
    assert case.resolved_at is None
    status_changes = [
        [(f["field"], f["old"], f["new"]) for f in change.fields if f["field"] == "status"]
        for change in changes_for(case).filter(action="update").order_by("created_at", "pk")
    ]
    assert status_changes == [
        [("status", "Open", "Resolved")],
        [("status", "Resolved", "Closed")],
        [("status", "Closed", "Open")],
    ]
    last = changes_for(case).first()
    shown = timezone.localtime(resolved_at).strftime("%d %b %Y %H:%M")
    assert {"field": "resolved_at", "label": "Resolved", "old": shown, "new": ""} in last.fields


def test_an_unknown_status_is_refused(case, admin):
    with pytest.raises(ValidationError) as refused:
        services.case_set_status(case=case, status="lost", actor=admin)
    assert "status" in refused.value.message_dict


def test_update_refuses_foreign_and_bad_values_and_changes_nothing(case, admin, other_workspace):
    foreign_code = services.reason_code_create(
        workspace=other_workspace, actor=None, data={"name": "Elsewhere"}
    )
    stranger = UserFactory()
    with pytest.raises(ValidationError) as refused:
        services.case_update(case=case, actor=admin, data={"reason_code": foreign_code})
    assert refused.value.message_dict == {
        "reason_code": ["Choose a reason code of this workspace."]
    }
    with pytest.raises(ValidationError) as refused:
        services.case_update(case=case, actor=admin, data={"assignee": stranger})
    assert refused.value.message_dict == {"assignee": ["Choose a member of this workspace."]}
    with pytest.raises(ValidationError) as refused:
        services.case_update(
            case=case,
            actor=admin,
            data={"logged_at": timezone.now() + timedelta(days=1), "subject": "   "},
        )
    assert set(refused.value.message_dict) == {"logged_at", "subject"}
    case.refresh_from_db()
    assert (case.subject, case.reason_code.name, case.assignee) == (
        "Kettle leaks",
        "Faulty goods",
        admin,
    )
    assert changes_for(case).count() == 1


def test_a_case_cannot_be_logged_after_it_was_resolved(case, admin):
    two_days_ago = timezone.now() - timedelta(days=2)
    case = services.case_update(case=case, actor=admin, data={"logged_at": two_days_ago})
    case = services.case_set_status(case=case, status="resolved", actor=admin)
    Case.objects.filter(pk=case.pk).update(resolved_at=two_days_ago + timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        services.case_update(
            case=case, actor=admin, data={"logged_at": two_days_ago + timedelta(hours=2)}
        )
    assert "logged after" in refused.value.message_dict["logged_at"][0]


def test_a_member_can_be_the_assignee(case, admin, workspace):
    agent = MembershipFactory(workspace=workspace, role="agent").user
    case = services.case_update(case=case, actor=admin, data={"assignee": agent})
    assert case.assignee == agent
    assert changes_for(case).first().fields == [
        {"field": "assignee", "label": "Assignee", "old": str(admin), "new": str(agent)}
    ]


def test_no_case_for_a_customer_in_the_recycle_bin(customer, admin):
    customer_delete(customer=customer, actor=admin)
    with pytest.raises(ValidationError) as refused:
        services.case_create(customer=customer, actor=admin, data={"subject": "Late"})
    assert "customer" in refused.value.message_dict
    assert not Case.objects.exists()


def test_a_failed_create_does_not_use_up_a_number(customer, admin):
    with pytest.raises(ValidationError):
        services.case_create(customer=customer, actor=admin, data={"subject": ""})
    assert services.case_create(customer=customer, actor=admin, data={"subject": "Ok"}).number == 1


def test_delete_records_history(case, admin):
    services.case_delete(case=case, actor=admin)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert changes_for(case).first().action == "delete"


def test_reason_code_names_are_unique_in_any_case(reason_code, workspace, other_workspace):
    with pytest.raises(ValidationError) as refused:
        services.reason_code_create(workspace=workspace, actor=None, data={"name": "FAULTY GOODS "})
    assert refused.value.message_dict == {
        "name": ["A reason code named Faulty goods already exists."]
    }
    services.reason_code_create(
        workspace=other_workspace, actor=None, data={"name": "Faulty goods"}
    )


def test_a_reason_code_in_use_cannot_be_deleted(case, reason_code, admin):
    with pytest.raises(ValidationError) as refused:
        services.reason_code_delete(reason_code=reason_code, actor=admin)
    assert refused.value.messages == [
        "1 case uses the reason code Faulty goods: give it another reason first, or keep the code."
    ]
    services.case_update(case=case, actor=admin, data={"reason_code": None})
    services.reason_code_delete(reason_code=reason_code, actor=admin)
    assert not ReasonCode.objects.exists()
