"""Every 4xx of the API has one JSON format (patron/api/errors.py):

{"status": 400, "code": "invalid", "detail": "...",
 "errors": [{"field": "email", "code": "invalid", "message": "..."}]}
"""

import pytest
from rest_framework.test import APIClient

from patron.conftest import api_client_for
from patron.customers.models import Customer
from patron.testing.factories import PASSWORD, make_customer
from patron.workspaces.roles import Role

URL = "/api/v1/customers/"


def error(response, status: int) -> dict:
    """The body of an error response, after checking that it has the one format."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["detail"]
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message"}
    return body


def test_400_names_each_offending_field(api):
    body = error(api.post(URL, {"last_name": "Doe", "email": "nope@"}, format="json"), 400)
    assert body["code"] == "invalid"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("email", "invalid")]
    assert "valid email" in body["errors"][0]["message"]
    assert not Customer.objects.exists()


def test_400_for_several_fields_and_list_items(api):
    response = api.post(URL, {"last_name": "", "tags": [999999], "gender": "x"}, format="json")
    fields = {e["field"] for e in error(response, 400)["errors"]}
    assert fields == {"tags", "gender"}


def test_400_for_malformed_json_names_no_field(api):
    response = api.post(URL, "{not json", content_type="application/json")
    body = error(response, 400)
    assert body["code"] == "parse_error"


def test_400_refuses_wrong_types_instead_of_converting_them(api):
    # DRF's CharField would store 0 as "0" and BooleanField read "yes" as true.
    response = api.post(URL, {"last_name": 0, "is_external": "yes"}, format="json")
    fields = {e["field"]: e["code"] for e in error(response, 400)["errors"]}
    assert fields == {"last_name": "invalid", "is_external": "invalid"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page_size": "ten"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"archived": "maybe"}, "archived"),
        ({"number": "0.5"}, "number"),
        ({"ordering": "password"}, "ordering"),
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
    ],
)
def test_400_for_malformed_list_parameters(api, query, field):
    # DRF and django-filter used to read the first three as "not given".
    body = error(api.get(URL, query), 400)
    assert [e["field"] for e in body["errors"]] == [field]


def test_search_text_of_unicode_digits_is_no_server_error(api, customer):
    assert api.get(URL, {"q": "²"}).json()["count"] == 0


def test_empty_list_parameters_are_as_if_not_given(api, customer):
    response = api.get(URL, {"archived": "", "page_size": "", "number": "", "q": ""})
    assert response.json()["count"] == 1


@pytest.mark.parametrize("if_match", ["²", "abc", "", '""1""', "1234567890"])
def test_400_for_a_malformed_if_match(api, customer, if_match):
    # "²" passed an isdigit() test and then crashed int(): a 500.
    response = api.patch(
        f"{URL}{customer.pk}/", {"city": "Leeds"}, format="json", HTTP_IF_MATCH=if_match
    )
    body = error(response, 400)
    assert [e["field"] for e in body["errors"]] == ["If-Match"]


def test_401_without_a_token(db):
    response = APIClient().get(URL)
    body = error(response, 401)
    assert body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_401_with_a_revoked_token(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer ptn_not-a-real-key")
    assert error(api.get(URL), 401)["code"] == "authentication_failed"


def test_401_for_a_wrong_password_not_403(client, member):
    # Without authenticators DRF turned this 401 into a 403.
    user = member().user
    response = client.post(
        "/api/v1/auth/token/",
        {"username": user.email, "password": "wrong"},
        content_type="application/json",
    )
    assert error(response, 401)["detail"] == "Wrong email or password."


def test_a_password_keeps_its_spaces(client, member):
    user = member().user
    user.set_password(f" {PASSWORD} ")
    user.save()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": user.email, "password": f" {PASSWORD} "},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_403_for_a_role_without_the_right(member, customer):
    api = api_client_for(member(Role.READ_ONLY))
    body = error(api.delete(f"{URL}{customer.pk}/"), 403)
    assert body["code"] == "permission_denied"


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999", "-1"])
def test_404_for_an_unknown_id(api, pk):
    assert error(api.get(f"{URL}{pk}/"), 404)["code"] == "not_found"


def test_numbers_too_large_for_the_database_find_nothing(api, customer):
    huge = "9" * 20
    assert api.get(URL, {"number": huge, "q": huge}).json()["count"] == 0


def test_404_for_another_workspaces_customer(api, other_workspace):
    theirs = make_customer(other_workspace, None, last_name="Elsewhere")
    assert error(api.get(f"{URL}{theirs.pk}/"), 404)["code"] == "not_found"


def test_404_for_a_page_past_the_end(api, customer):
    assert error(api.get(URL, {"page": 2}), 404)["code"] == "not_found"


# A ".json" twin of a route is unknown too (POST bulk-updates.json answered a 500).
@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing/", f"{URL}0.5/", f"{URL}1/nothing/", "/api/v1/bulk-updates.json/"],
)
def test_404_json_for_an_unknown_api_path(api, path):
    assert error(api.get(path), 404)["code"] == "not_found"
    assert error(api.post(path, {}, format="json"), 404)["code"] == "not_found"


def test_404_json_for_an_unknown_api_path_without_a_token(db):
    assert error(APIClient().get("/api/v1/nothing/"), 404)["code"] == "not_found"


def test_405_for_a_method_the_path_does_not_take(api):
    assert error(api.put(URL, {}, format="json"), 405)["code"] == "method_not_allowed"


def test_412_says_what_changed_and_gives_the_current_etag(api, customer):
    url = f"{URL}{customer.pk}/"
    assert api.patch(url, {"city": "Leeds"}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    response = api.patch(url, {"city": "York"}, format="json", HTTP_IF_MATCH='W/"1"')
    body = error(response, 412)
    assert body["code"] == "edit_conflict"
    assert body["errors"][0]["field"] == "city"
    assert response["ETag"] == '"2"'


def test_415_for_a_body_that_is_not_json(api):
    response = api.post(URL, "last_name=Doe", content_type="application/x-www-form-urlencoded")
    assert error(response, 415)["code"] == "unsupported_media_type"


def test_ordering_by_several_fields(api, workspace, admin):
    # DRF's OrderingFilter sorted again by the terms it knew: here by email alone.
    make_customer(workspace, admin, last_name="Able", email="z@example.com")
    make_customer(workspace, admin, last_name="Baker", email="a@example.com")
    rows = api.get(URL, {"ordering": "name,email"}).json()["results"]
    assert [row["last_name"] for row in rows] == ["Able", "Baker"]
