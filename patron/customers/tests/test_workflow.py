"""The approval workflow through pages and API: New -> Released -> Active, or back to New."""

import pytest

from patron.conftest import api_client_for
from patron.customers import services
from patron.customers.models import Customer
from patron.workspaces.roles import Role


def test_sales_releases_and_accounts_approves_in_pages(client, member, customer):
    sales, accounts = member(Role.SALES).user, member(Role.ACCOUNTS).user
    client.force_login(sales)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/customers/{customer.pk}/release/" in page
    confirm = client.get(f"/customers/{customer.pk}/release/").content.decode()
    assert "Are you sure you want to release this customer?" in confirm
    client.post(f"/customers/{customer.pk}/release/")
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Released (waiting for approval)" in page
    assert f"/customers/{customer.pk}/release/" not in page
    assert f"/customers/{customer.pk}/approve/" not in page  # sales may not approve
    assert client.post(f"/customers/{customer.pk}/approve/").status_code == 403

    client.force_login(accounts)
    client.post(f"/customers/{customer.pk}/approve/")
    customer.refresh_from_db()
    assert customer.workflow_state == Customer.WorkflowState.ACTIVE
    history = client.get(f"/customers/{customer.pk}/tabs/history/").content.decode()
    assert "Approved" in history and "Released" in history


def test_accounts_declines_with_a_reason(client, member, customer, admin):
    services.customer_release(customer=customer, actor=admin)
    client.force_login(member(Role.ACCOUNTS).user)
    page = client.post(f"/customers/{customer.pk}/decline/", {"reason": ""}).content.decode()
    assert "Say why the customer is declined" in page
    customer.refresh_from_db()
    assert customer.workflow_state == Customer.WorkflowState.RELEASED
    client.post(f"/customers/{customer.pk}/decline/", {"reason": "Credit check failed"})
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Declined: Credit check failed" in page
    customer.refresh_from_db()
    assert customer.workflow_state == Customer.WorkflowState.NEW


def test_list_rows_offer_actions_by_state(client, member, workspace, admin):
    from patron.testing.factories import make_customer

    new = make_customer(workspace, admin, last_name="Newby")
    released = make_customer(workspace, admin, last_name="Relly")
    services.customer_release(customer=released, actor=admin)
    client.force_login(member(Role.ACCOUNTS).user)
    rows = client.get("/customers/", HTTP_HX_REQUEST="true").content.decode()
    assert f"/customers/{new.pk}/release/" in rows
    assert f"/customers/{released.pk}/release/" not in rows
    assert f"/customers/{released.pk}/approve/" in rows
    queue = client.get("/customers/?workflow_state=released", HTTP_HX_REQUEST="true")
    assert "Relly" in queue.content.decode() and "Newby" not in queue.content.decode()


def test_releasing_twice_says_why_not(admin_client, customer, admin):
    services.customer_release(customer=customer, actor=admin)
    response = admin_client.post(f"/customers/{customer.pk}/release/", follow=True)
    assert "Only New customers can be released" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [(Role.SALES, "approve", 403), (Role.ADMIN, "approve", 403), (Role.ACCOUNTS, "approve", 200)],
)
def test_api_approve_needs_the_accounts_role(member, customer, admin, role, action, expected):
    services.customer_release(customer=customer, actor=admin)
    response = api_client_for(member(role)).post(f"/api/v1/customers/{customer.pk}/{action}/")
    assert response.status_code == expected


def test_api_release_decline_and_conflict(member, customer):
    sales, accounts = api_client_for(member(Role.SALES)), api_client_for(member(Role.ACCOUNTS))
    url = f"/api/v1/customers/{customer.pk}/"
    assert sales.post(url + "release/").json()["workflow_state"] == "released"
    again = sales.post(url + "release/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    missing = accounts.post(url + "decline/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
    declined = accounts.post(url + "decline/", {"reason": "No VAT number"}, format="json")
    assert declined.json()["decline_reason"] == "No VAT number"
    assert declined.json()["workflow_state"] == "new"
