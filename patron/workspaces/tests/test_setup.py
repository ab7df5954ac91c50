import pytest

from patron.customers.models import Category, Tag
from patron.testing.factories import make_customer
from patron.workspaces.models import Membership, Store
from patron.workspaces.roles import Role


def test_admin_adds_a_new_member_who_can_log_in(admin_client, workspace, client):
    response = admin_client.post(
        "/setup/members/",
        {"email": "New@Example.com", "role": "sales", "password": "a-Long-enough-secret"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(workspace=workspace, user__email="new@example.com")
    assert membership.role == Role.SALES
    response = client.post(
        "/login/", {"username": "new@example.com", "password": "a-Long-enough-secret"}
    )
    assert response.status_code == 302 and response.url == "/"


def test_a_new_member_needs_a_password(admin_client, workspace):
    page = admin_client.post("/setup/members/", {"email": "x@example.com", "role": "sales"})
    assert "A new user needs a password" in page.content.decode()
    assert not Membership.objects.filter(user__email="x@example.com").exists()


def test_the_last_admin_cannot_step_down(admin_client, workspace, admin):
    membership = Membership.objects.get(user=admin)
    response = admin_client.post(f"/setup/members/{membership.pk}/", {"role": "sales"}, follow=True)
    assert "at least one admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_change_role_and_remove(admin_client, member):
    other = member(Role.SALES)
    admin_client.post(f"/setup/members/{other.pk}/", {"role": "manager"})
    other.refresh_from_db()
    assert other.role == Role.MANAGER
    admin_client.post(f"/setup/members/{other.pk}/", {"remove": "1"})
    assert not Membership.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    ("kind", "model"), [("stores", Store), ("categories", Category), ("tags", Tag)]
)
def test_labels_add_refuse_duplicates_and_delete(admin_client, workspace, kind, model):
    assert admin_client.post(f"/setup/{kind}/", {"name": "North"}).status_code == 302
    page = admin_client.post(f"/setup/{kind}/", {"name": "North"}).content.decode()
    assert "already exists" in page
    row = model.objects.get(workspace=workspace, name="North")
    admin_client.post(f"/setup/{kind}/{row.pk}/delete/")
    assert not model.objects.filter(pk=row.pk).exists()


def test_deleting_a_category_keeps_its_customers(admin_client, workspace, admin):
    category = Category.objects.create(workspace=workspace, name="VIP")
    customer = make_customer(workspace, admin, category=category)
    admin_client.post(f"/setup/categories/{category.pk}/delete/")
    customer.refresh_from_db()
    assert customer.category is None


def test_the_last_store_stays(admin_client, workspace):
    store = workspace.stores.get()
    response = admin_client.post(f"/setup/stores/{store.pk}/delete/", follow=True)
    assert "at least one store" in response.content.decode()
    assert workspace.stores.count() == 1


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.READ_ONLY])
def test_only_admins_set_up_the_workspace(client, member, role):
    client.force_login(member(role).user)
    assert client.get("/setup/members/").status_code == 403
    assert client.post("/setup/tags/", {"name": "x"}).status_code == 403
    assert not Tag.objects.exists()
