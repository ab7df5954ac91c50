import pytest

from patron.conftest import api_client_for
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.testing.factories import TagFactory, make_customer
from patron.workspaces.roles import Role

URL = "/api/v1/customers/"


def test_create_read_and_history(api, workspace):
    tag = TagFactory(workspace=workspace, name="vip")
    response = api.post(
        URL,
        {
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "Grace@Navy.example",
            "mobile_phone": "07911 123456",
            "tags": [tag.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1
    assert body["email"] == "grace@navy.example"
    assert body["mobile_phone"] == "+447911123456"
    assert response["ETag"] == '"1"'
    customer = Customer.objects.get(pk=body["id"])
    assert changes_for(customer).get().via == "api"
    assert api.get(f"{URL}{customer.pk}/").json()["tags"] == [tag.pk]


def test_validation_errors_name_the_field(api):
    response = api.post(URL, {"last_name": "X", "email": "nope"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["email"]
    assert "valid email" in errors[0]["message"]
    assert not Customer.objects.exists()


def test_if_match_with_an_old_version_is_refused_with_what_changed(api, customer):
    url = f"{URL}{customer.pk}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"city": "Leeds"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"city": "York"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "edit_conflict"
    assert "Leeds" in stale.json()["errors"][0]["message"]
    assert stale["ETag"] == '"2"'
    customer.refresh_from_db()
    assert customer.city == "Leeds"


def test_delete_moves_to_recycle_bin_and_restore_brings_back(api, customer):
    assert api.delete(f"{URL}{customer.pk}/").status_code == 204
    assert api.get(f"{URL}{customer.pk}/").status_code == 404
    assert api.get(URL).json()["count"] == 0
    restored = api.post(f"{URL}{customer.pk}/restore/")
    assert restored.status_code == 200
    assert api.get(URL).json()["count"] == 1


@pytest.mark.parametrize(
    ("role", "method", "path", "expected"),
    [
        (Role.READ_ONLY, "get", "", 200),
        (Role.READ_ONLY, "post", "", 403),
        (Role.READ_ONLY, "patch", "{pk}/", 403),
        (Role.SALES, "patch", "{pk}/", 200),
        (Role.SALES, "delete", "{pk}/", 403),
        (Role.MANAGER, "delete", "{pk}/", 204),
    ],
)
def test_roles_are_enforced(member, customer, role, method, path, expected):
    api = api_client_for(member(role))
    data = {"last_name": "Someone"} if method in ("post", "patch") else None
    response = getattr(api, method)(URL + path.format(pk=customer.pk), data, format="json")
    assert response.status_code == expected
    if expected == 403:
        assert "may not" in response.json()["detail"]


def test_search_finds_one_phone_written_many_ways(api, workspace, admin):
    make_customer(workspace, admin, last_name="Phoned", work_phone="020 7946 0018")
    make_customer(workspace, admin, last_name="Other")
    for written in ("+44 20 7946 0018", "020 7946 0018", "02079460018"):
        names = [row["last_name"] for row in api.get(URL, {"q": written}).json()["results"]]
        assert names == ["Phoned"], written


def test_search_by_name_accents_and_order(api, workspace, admin):
    make_customer(workspace, admin, first_name="José", last_name="Núñez")
    make_customer(workspace, admin, first_name="Ann", last_name="Smith")
    for text in ("jose nunez", "José", "Núñez", "nunez jo"):
        names = [row["last_name"] for row in api.get(URL, {"q": text}).json()["results"]]
        assert names == ["Núñez"], text


def test_advanced_filters_and_ordering(api, workspace, admin):
    make_customer(workspace, admin, last_name="Alpha", city="Leeds", customer_type="account")
    make_customer(workspace, admin, last_name="Beta", city="York", customer_type="account")
    make_customer(workspace, admin, last_name="Gamma", city="Leeds")
    rows = api.get(URL, {"customer_type": "account", "ordering": "-name"}).json()["results"]
    assert [r["last_name"] for r in rows] == ["Beta", "Alpha"]
    rows = api.get(URL, {"city": "lee"}).json()["results"]
    assert {r["last_name"] for r in rows} == {"Alpha", "Gamma"}


def test_archived_leave_lists_but_stay_reachable(api, workspace, admin):
    org = make_customer(workspace, admin, kind="organization", company_name="Old Co")
    assert api.post(f"{URL}{org.pk}/archive/").status_code == 200
    assert api.get(URL).json()["count"] == 0
    assert api.get(f"{URL}{org.pk}/").status_code == 200
    assert api.get(URL, {"archived": "true"}).json()["count"] == 1


def test_token_endpoint_issues_a_working_token(client, member):
    membership = member(Role.SALES)
    response = client.post(
        "/api/v1/auth/token/",
        {"username": membership.user.email, "password": "correct horse battery staple"},
        content_type="application/json",
    )
    assert response.status_code == 201
    token = response.json()["token"]
    listed = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200
    wrong = client.post(
        "/api/v1/auth/token/",
        {"username": membership.user.email, "password": "wrong"},
        content_type="application/json",
    )
    assert wrong.status_code == 401


def test_session_auth_works_for_the_browser(admin_client, customer):
    assert admin_client.get(URL).json()["count"] == 1


def test_unauthenticated_gets_401_json(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_lookups_list_the_workspaces_ids(api, workspace, other_workspace):
    TagFactory(workspace=workspace, name="vip")
    TagFactory(workspace=other_workspace, name="theirs")
    assert [t["name"] for t in api.get("/api/v1/tags/").json()] == ["vip"]
    assert [s["name"] for s in api.get("/api/v1/stores/").json()] == ["Main store"]
    assert api.get("/api/v1/categories/").json() == []
    assert api.post("/api/v1/tags/", {"name": "x"}, format="json").status_code == 405
