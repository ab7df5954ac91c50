from patron.conftest import api_client_for
from patron.duplicates.models import DuplicateCandidate, NotDuplicate
from patron.workspaces.roles import Role


def test_post_a_scan_then_list_and_judge_the_pairs(api, twins, committed):
    jane, janet, _ = twins
    with committed(execute=True):
        response = api.post("/api/v1/duplicate-scans/", {}, format="json")
    assert response.status_code == 202, response.content
    assert response["Location"] == (
        f"http://testserver/api/v1/duplicate-scans/{response.json()['id']}/"
    )
    scan = api.get(f"/api/v1/duplicate-scans/{response.json()['id']}/").json()
    assert (scan["state"], scan["read_count"], scan["candidate_count"]) == ("done", 3, 1)
    assert scan["via"] == "api"

    listed = api.get("/api/v1/duplicate-candidates/").json()["results"]
    assert len(listed) == 1
    pair = listed[0]
    assert pair["customer_a"] == {
        "id": jane.pk,
        "number": jane.number,
        "name": "Jane Whitfield",
        "external_ref": "CRM-17",
        "email": "jane@example.com",
    }
    assert pair["customer_b"]["id"] == janet.pk
    assert "surname 1 typo" in pair["reasons"] and pair["status"] == "open"

    judged = api.post(f"/api/v1/duplicate-candidates/{pair['id']}/not-duplicate/")
    assert judged.status_code == 200 and judged.json()["status"] == "not_duplicate"
    assert NotDuplicate.objects.filter(customer_a=jane, customer_b=janet).exists()
    assert api.get("/api/v1/duplicate-candidates/").json()["results"] == []
    assert len(api.get("/api/v1/duplicate-candidates/?status=not_duplicate").json()["results"]) == 1
    again = api.post(f"/api/v1/duplicate-candidates/{pair['id']}/not-duplicate/")
    assert again.status_code == 409 and "already judged" in again.json()["detail"]


def test_a_bad_status_filter_names_the_field(api, db):
    response = api.get("/api/v1/duplicate-candidates/?status=maybe")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_sales_users_cannot_see_or_judge_pairs(member, twins, api, committed):
    with committed(execute=True):
        api.post("/api/v1/duplicate-scans/", {}, format="json")
    pair = DuplicateCandidate.objects.get()
    sales = api_client_for(member(Role.SALES))
    assert sales.get("/api/v1/duplicate-candidates/").status_code == 403
    assert sales.post(f"/api/v1/duplicate-candidates/{pair.pk}/not-duplicate/").status_code == 403
    assert sales.post("/api/v1/duplicate-scans/", {}, format="json").status_code == 403
    pair.refresh_from_db()
    assert pair.status == "open"


def test_a_second_scan_while_one_runs_is_a_conflict(api, workspace):
    from patron.duplicates.models import DuplicateScan

    DuplicateScan.objects.create(workspace=workspace, state=DuplicateScan.State.RUNNING)
    response = api.post("/api/v1/duplicate-scans/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "busy"
    assert DuplicateScan.objects.count() == 1


def test_likely_answers_before_creating_and_saves_nothing(member, twins):
    from patron.customers.models import Customer

    jane, janet, _ = twins
    sales = api_client_for(member(Role.SALES))  # anyone who creates customers may ask
    count = Customer.objects.count()
    response = sales.post(
        "/api/v1/duplicate-candidates/likely/",
        {"first_name": "Jane", "last_name": "Whitfeild", "postcode": "LS1 4AB",
         "date_of_birth": "1980-02-09"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    found = response.json()
    assert {row["customer"]["id"] for row in found} == {jane.pk, janet.pk}
    assert found[0]["score"] >= found[1]["score"] >= 0.5
    assert "same postcode" in found[0]["reasons"]
    assert Customer.objects.count() == count
    nobody = sales.post(
        "/api/v1/duplicate-candidates/likely/", {"last_name": "Quorn"}, format="json"
    )
    assert nobody.json() == []
    bad = sales.post(
        "/api/v1/duplicate-candidates/likely/", {"date_of_birth": "soon"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "date_of_birth"
    reader = api_client_for(member(Role.READ_ONLY))
    assert reader.post("/api/v1/duplicate-candidates/likely/", {}, format="json").status_code == 403
