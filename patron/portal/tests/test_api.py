import pytest

from patron.conftest import api_client_for
from patron.history.services import changes_for
from patron.portal.models import PortalAccess
from patron.portal.tests.conftest import give_access
from patron.workspaces.roles import Role


def test_grant_read_manager_password_and_revoke(
    api, contact, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/portal-access/",
            {"customer": contact.pk, "is_organization_manager": True},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["customer"], body["enabled"], body["has_password"]) == (contact.pk, True, True)
    assert body["is_organization_manager"] is True
    assert "password" not in body
    assert [m.rcpt_tos for m in smtp.messages] == [["grace@globex.example"]]

    url = f"/api/v1/portal-access/{contact.pk}/"
    assert api.get(url).json()["customer"] == contact.pk
    assert (
        api.patch(url, {"is_organization_manager": False}, format="json").json()[
            "is_organization_manager"
        ]
        is False
    )
    response = api.post(f"{url}password/", {"password": "password"}, format="json")
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"password"}
    response = api.post(f"{url}password/", {"password": "Kite-over-the-moor-6"}, format="json")
    assert response.status_code == 200
    assert PortalAccess.objects.get(customer=contact).check_password("Kite-over-the-moor-6")

    assert api.delete(url).status_code == 204
    assert api.get(url).json()["enabled"] is False
    assert [change.via for change in changes_for(PortalAccess.objects.get())][:1] == ["api"]


def test_grant_refusals_name_the_customer_field(api, organization):
    response = api.post("/api/v1/portal-access/", {"customer": organization.pk}, format="json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "customer" and "organization cannot log in" in error["message"]


def test_set_empty_passwords_is_for_admins(api, member, contact):
    access = give_access(contact)
    PortalAccess.objects.filter(pk=access.pk).update(password="")
    manager = api_client_for(member(Role.MANAGER))
    assert manager.post("/api/v1/portal-access/set-empty-passwords/").status_code == 403
    response = api.post("/api/v1/portal-access/set-empty-passwords/")
    assert response.json() == {"given": 1, "skipped": []}


@pytest.mark.parametrize("role", [Role.SALES, Role.READ_ONLY])
def test_only_admins_and_managers_grant(member, contact, role):
    client = api_client_for(member(role))
    response = client.post("/api/v1/portal-access/", {"customer": contact.pk}, format="json")
    assert response.status_code == 403
    assert client.get("/api/v1/portal-access/").status_code == 200
