import pytest

from patron.cases import services
from patron.cases.models import Case, ReasonCode
from patron.history.services import changes_for
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role


@pytest.fixture
def logged_in(client, member):
    def login(role=Role.SALES):
        membership = member(role)
        client.force_login(membership.user)
        return membership.user

    return login


def test_create_a_case_from_the_customer_page(client, logged_in, customer, reason_code):
    user = logged_in()
    page = client.get(customer.get_absolute_url()).content.decode()
    assert f'href="/customers/{customer.pk}/cases/new/"' in page
    form = client.get(f"/customers/{customer.pk}/cases/new/").content.decode()
    assert "Ada Lovelace" in form and "Faulty goods" in form
    response = client.post(
        f"/customers/{customer.pk}/cases/new/",
        {"subject": "Kettle leaks", "status": "open", "reason_code": reason_code.pk},
    )
    assert response.status_code == 302
    assert response.url == f"{customer.get_absolute_url()}?tab=cases"
    case = Case.objects.get()
    assert (case.number, case.customer, case.created_by) == (1, customer, user)
    tab = client.get(f"/customers/{customer.pk}/tabs/cases/").content.decode()
    assert "Kettle leaks" in tab and "Faulty goods" in tab and "Open" in tab
    timeline = client.get(f"/customers/{customer.pk}/tabs/timeline/").content.decode()
    assert "Case 1: Kettle leaks (Open)" in timeline


def test_the_form_names_the_field_at_fault(client, logged_in, customer):
    logged_in()
    response = client.post(
        f"/customers/{customer.pk}/cases/new/",
        {"subject": "", "status": "open", "logged_at": "2999-01-01T10:00"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "A case cannot be logged in the future." in page
    assert not Case.objects.exists()


def test_resolve_from_the_case_page(client, logged_in, case):
    logged_in()
    response = client.post(f"/cases/{case.pk}/status/", {"status": "resolved"})
    assert response.status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Case 1 is now Resolved." in page
    case.refresh_from_db()
    assert case.resolved_at is not None
    assert "Open" in page and "Resolved" in page  # the History's old and new status


def test_edit_a_case(client, logged_in, case):
    logged_in()
    response = client.post(
        f"/cases/{case.pk}/edit/",
        {"subject": "Kettle leaks badly", "status": "pending", "logged_at": "2026-01-02T09:30"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.subject == "Kettle leaks badly" and case.status == "pending"
    assert case.reason_code is None and case.assignee is None
    assert case.logged_at.strftime("%Y-%m-%d") == "2026-01-02"


def test_delete_asks_first(client, logged_in, case, customer):
    logged_in()
    page = client.get(f"/cases/{case.pk}/delete/").content.decode()
    assert "Delete case 1?" in page
    assert Case.objects.exists()
    response = client.post(f"/cases/{case.pk}/delete/")
    assert response.url == f"{customer.get_absolute_url()}?tab=cases"
    assert not Case.objects.exists()


def test_the_case_list_filters(client, logged_in, case, customer, workspace, admin):
    logged_in(Role.READ_ONLY)
    other = make_customer(workspace, admin, last_name="Babbage")
    services.case_create(customer=other, actor=admin, data={"subject": "Late delivery"})
    page = client.get("/cases/").content.decode()
    assert "Kettle leaks" in page and "Late delivery" in page and "2 cases" in page
    page = client.get("/cases/", {"reason_code": case.reason_code_id}).content.decode()
    assert "Kettle leaks" in page and "Late delivery" not in page
    page = client.get("/cases/", {"customer_number": other.number}).content.decode()
    assert "Late delivery" in page and "Kettle leaks" not in page
    page = client.get("/cases/", {"assignee": admin.pk, "status": "open"}).content.decode()
    assert "Kettle leaks" in page and "Late delivery" not in page
    page = client.get("/cases/", {"logged_from": "2999-01-01"}).content.decode()
    assert "No cases match." in page
    page = client.get("/cases/", {"customer": customer.pk}).content.decode()
    assert "Kettle leaks" in page and "Late delivery" not in page


def test_read_only_sees_but_cannot_change(client, logged_in, case, customer):
    logged_in(Role.READ_ONLY)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "/cases/new/" not in page
    assert client.get(f"/customers/{customer.pk}/cases/new/").status_code == 403
    assert client.post(f"/cases/{case.pk}/status/", {"status": "closed"}).status_code == 403
    assert client.post(f"/cases/{case.pk}/delete/").status_code == 403
    case.refresh_from_db()
    assert case.status == "open"


def test_reason_codes_set_up(client, logged_in, case, reason_code):
    logged_in(Role.MANAGER)
    response = client.post("/setup/reason-codes/", {"name": "Billing query"})
    assert response.status_code == 302
    page = client.post("/setup/reason-codes/", {"name": "billing QUERY"}).content.decode()
    assert "A reason code named Billing query already exists." in page
    page = client.get(f"/setup/reason-codes/{reason_code.pk}/delete/").content.decode()
    assert "1 case uses this reason code" in page
    client.post(f"/setup/reason-codes/{reason_code.pk}/delete/")
    assert ReasonCode.objects.filter(pk=reason_code.pk).exists()
    billing = ReasonCode.objects.get(name="Billing query")
    client.post(f"/setup/reason-codes/{billing.pk}/", {"name": "Billing"})
    assert changes_for(billing).first().fields[0]["new"] == "Billing"
    client.post(f"/setup/reason-codes/{billing.pk}/delete/")
    assert not ReasonCode.objects.filter(pk=billing.pk).exists()


def test_a_delete_page_deletes_by_post_only(client, logged_in, reason_code):
    # An HTTP DELETE would skip the service (no History, no in-use check).
    logged_in(Role.MANAGER)
    response = client.delete(f"/setup/reason-codes/{reason_code.pk}/delete/")
    assert response.status_code == 405
    assert ReasonCode.objects.filter(pk=reason_code.pk).exists()


def test_reason_codes_are_for_managers(client, logged_in):
    logged_in(Role.SALES)
    assert client.get("/setup/reason-codes/").status_code == 403
    assert client.post("/setup/reason-codes/", {"name": "X"}).status_code == 403
    assert not ReasonCode.objects.exists()


def test_my_open_cases_tile(client, case, admin, customer):
    client.force_login(admin)
    services.case_create(customer=customer, actor=admin, data={"subject": "Not mine"})
    services.case_create(
        customer=customer, actor=admin, data={"subject": "Done", "assignee": admin}
    )
    services.case_set_status(case=Case.objects.get(subject="Done"), status="closed", actor=admin)
    home = client.get("/").content.decode()
    link = f"/cases/?assignee={admin.pk}&amp;done=false"
    assert link in home
    tile = home[home.index(link) :].split("</a>")[0]
    assert '<span class="tile-count">1</span>' in tile
    page = client.get(f"/cases/?assignee={admin.pk}&done=false").content.decode()
    assert "Kettle leaks" in page and "Not mine" not in page and ">Done<" not in page


def test_a_workspace_can_still_be_deleted_with_its_cases(case, workspace):
    workspace.delete()
    assert not Case.objects.exists() and not ReasonCode.objects.exists()


def test_a_cleared_logged_time_means_now_or_unchanged(client, logged_in, customer, case):
    logged_in()
    client.post(
        f"/customers/{customer.pk}/cases/new/",
        {"subject": "Cleared time", "status": "open", "logged_at": ""},
    )
    created = Case.objects.get(subject="Cleared time")
    assert created.logged_at > case.logged_at
    before = case.logged_at
    response = client.post(
        f"/cases/{case.pk}/edit/", {"subject": "Kettle leaks", "status": "open", "logged_at": ""}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.logged_at == before


def test_logged_days_are_whole_local_days(client, logged_in, customer, admin):
    from datetime import datetime

    from django.utils import timezone

    logged_in()
    late = timezone.make_aware(datetime(2026, 3, 9, 23, 30))
    services.case_create(
        customer=customer, actor=admin, data={"subject": "Late", "logged_at": late}
    )
    for query, found in [
        ({"logged_from": "2026-03-09", "logged_to": "2026-03-09"}, True),
        ({"logged_to": "2026-03-08"}, False),
        ({"logged_from": "2026-03-10"}, False),
    ]:
        page = client.get("/cases/", query).content.decode()
        assert ("Late" in page) is found, query


def test_the_tab_shows_the_newest_hundred(client, logged_in, customer, admin):
    logged_in(Role.READ_ONLY)
    for number in range(101):
        services.case_create(customer=customer, actor=admin, data={"subject": f"Case #{number}"})
    tab = client.get(f"/customers/{customer.pk}/tabs/cases/").content.decode()
    assert "Case #100<" in tab and "Case #0<" not in tab
    assert "The newest 100 of 101 cases." in tab
    assert f'href="/cases/?customer={customer.pk}"' in tab
