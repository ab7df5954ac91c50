from patron.cases.models import Case, ReasonCode
from patron.conftest import api_client_for
from patron.history.services import changes_for
from patron.workspaces.roles import Role


def test_create_list_and_resolve_a_case(api, customer, reason_code):
    response = api.post(
        "/api/v1/cases/",
        {"customer": customer.pk, "subject": "Kettle leaks", "reason_code": reason_code.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["status"], body["resolved_at"]) == (1, "open", None)
    response = api.patch(f"/api/v1/cases/{body['id']}/", {"status": "resolved"}, format="json")
    assert response.json()["resolved_at"] is not None
    assert changes_for(Case.objects.get()).first().via == "api"
    listed = api.get("/api/v1/cases/", {"status": "resolved", "customer": customer.pk}).json()
    assert [row["subject"] for row in listed["results"]] == ["Kettle leaks"]
    assert api.get("/api/v1/cases/", {"status": "open"}).json()["results"] == []


def test_bad_input_names_the_field(api, customer, other_workspace):
    foreign = ReasonCode.objects.create(workspace=other_workspace, name="Elsewhere")
    response = api.post(
        "/api/v1/cases/",
        {"customer": customer.pk, "subject": "X", "reason_code": foreign.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason_code"
    response = api.post(
        "/api/v1/cases/",
        {"customer": customer.pk, "subject": "X", "logged_at": "2999-01-01T00:00:00Z"},
        format="json",
    )
    assert response.json()["errors"] == [
        {
            "field": "logged_at",
            "code": "invalid",
            "message": "A case cannot be logged in the future.",
        }
    ]
    assert not Case.objects.exists()


def test_the_customer_stays_fixed(api, case, workspace, admin):
    from patron.testing.factories import make_customer

    other = make_customer(workspace, admin, last_name="Babbage")
    api.patch(f"/api/v1/cases/{case.pk}/", {"customer": other.pk}, format="json")
    case.refresh_from_db()
    assert case.customer.last_name == "Lovelace"


def test_reason_codes_in_use_answer_409(api, case, reason_code):
    response = api.delete(f"/api/v1/reason-codes/{reason_code.pk}/")
    assert response.status_code == 409
    assert "1 case uses the reason code Faulty goods" in response.json()["detail"]
    response = api.post("/api/v1/reason-codes/", {"name": "faulty GOODS"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"


def test_read_only_can_read_only(member, case, reason_code):
    api = api_client_for(member(Role.READ_ONLY))
    assert api.get("/api/v1/cases/").json()["count"] == 1
    assert api.get("/api/v1/reason-codes/").status_code == 200
    assert api.patch(f"/api/v1/cases/{case.pk}/", {"status": "closed"}).status_code == 403
    assert api.post("/api/v1/reason-codes/", {"name": "X"}).status_code == 403
    sales = api_client_for(member(Role.SALES))
    assert sales.post("/api/v1/reason-codes/", {"name": "X"}).status_code == 403
    assert sales.delete(f"/api/v1/cases/{case.pk}/").status_code == 204
