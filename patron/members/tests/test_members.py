import pytest

from patron.conftest import api_client_for
from patron.history.services import changes_for
from patron.members import services
from patron.members.models import CustomerMember
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role


def test_maintain_salesmen_ticks_the_sales_users(admin_client, member, customer):
    ann, bob = member(Role.SALES).user, member(Role.SALES).user
    manager = member(Role.MANAGER).user
    page = admin_client.get(f"/customers/{customer.pk}/salesmen/").content.decode()
    assert ann.email in page and bob.email in page and manager.email not in page
    admin_client.post(f"/customers/{customer.pk}/salesmen/", {"users": [ann.pk, bob.pk]})
    admin_client.post(f"/customers/{customer.pk}/salesmen/", {"users": [bob.pk]})
    salesmen = customer.members.filter(role=CustomerMember.Role.SALESMAN)
    assert [link.user for link in salesmen] == [bob]
    change = changes_for(customer).first()
    assert change.fields[0]["label"] == "Members"
    assert change.fields[0]["old"] == ", ".join(sorted([f"{ann} (Salesman)", f"{bob} (Salesman)"]))


def test_only_sales_users_can_be_salesmen(workspace, customer, admin):
    with pytest.raises(Exception, match="sales users"):
        services.salesmen_set(customer=customer, users=[admin], actor=admin)


def test_link_any_staff_with_a_role_and_unlink(admin_client, member, customer):
    accounts = member(Role.ACCOUNTS).user
    admin_client.post(
        f"/customers/{customer.pk}/members/add/", {"user": accounts.pk, "role": "account_manager"}
    )
    link = customer.members.get()
    assert (link.user, link.role) == (accounts, "account_manager")
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/members/").content.decode()
    assert "Account manager" in tab
    admin_client.post(f"/members/{link.pk}/remove/")
    assert not customer.members.exists()


def test_staff_of_another_workspace_cannot_be_linked(admin_client, customer, other_workspace):
    stranger = MembershipFactory(workspace=other_workspace).user
    admin_client.post(
        f"/customers/{customer.pk}/members/add/", {"user": stranger.pk, "role": "salesman"}
    )
    assert not customer.members.exists()


def test_my_customers_and_my_organizations(client, member, workspace, admin):
    sales = member(Role.SALES).user
    mine = make_customer(workspace, admin, last_name="Mine")
    make_customer(workspace, admin, last_name="NotMine")
    org = make_customer(workspace, admin, kind="organization", company_name="My Org Ltd")
    for customer in (mine, org):
        services.member_link(customer=customer, user=sales, role="salesman", actor=admin)
    client.force_login(sales)
    page = client.get("/customers/mine/", HTTP_HX_REQUEST="true").content.decode()
    assert "Mine" in page and "NotMine" not in page
    orgs = client.get("/organizations/mine/", HTTP_HX_REQUEST="true").content.decode()
    assert "My Org Ltd" in orgs and "Mine" not in orgs.replace("My Org Ltd", "")


def test_read_only_cannot_change_members(client, member, customer):
    client.force_login(member(Role.READ_ONLY).user)
    assert client.get(f"/customers/{customer.pk}/salesmen/").status_code == 403


def test_api_link_list_and_unlink(member, customer):
    sales = member(Role.SALES)
    api = api_client_for(member(Role.ADMIN))
    created = api.post(
        "/api/v1/customer-members/",
        {"customer": customer.pk, "user": sales.user.pk, "role": "salesman"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    listed = api.get("/api/v1/customer-members/", {"customer": customer.pk}).json()
    assert [row["user"] for row in listed["results"]] == [sales.user.pk]
    assert api.delete(f"/api/v1/customer-members/{created.json()['id']}/").status_code == 204
    assert not customer.members.exists()


def test_linking_twice_keeps_one_link(workspace, customer, admin, member):
    sales = member(Role.SALES).user
    first = services.member_link(customer=customer, user=sales, role="salesman", actor=admin)
    again = services.member_link(customer=customer, user=sales, role="salesman", actor=admin)
    assert first == again and customer.members.count() == 1
