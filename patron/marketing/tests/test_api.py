import pytest

from patron.conftest import api_client_for
from patron.history.services import changes_for
from patron.marketing import services
from patron.marketing.models import CustomerTrait, Suppression, SuppressionType, Trait
from patron.workspaces.roles import Role


@pytest.fixture
def sales_api(member):
    return api_client_for(member(Role.SALES))


def _type(workspace, name: str) -> SuppressionType:
    return SuppressionType.objects.get(workspace=workspace, name=name)


def test_traits_are_read_by_all_and_defined_by_managers(member, workspace):
    manager = api_client_for(member(Role.MANAGER))
    created = manager.post(
        "/api/v1/traits/", {"name": "Golfer", "description": "Plays golf"}, format="json"
    )
    assert created.status_code == 201, created.json()
    duplicate = manager.post("/api/v1/traits/", {"name": "GOLFER"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"] == [
        {"field": "name", "code": "invalid", "message": "A trait named Golfer already exists."}
    ]
    blank = manager.post("/api/v1/traits/", {"name": ""}, format="json")
    assert blank.json()["errors"][0]["field"] == "name"

    read_only = api_client_for(member(Role.READ_ONLY))
    assert [t["name"] for t in read_only.get("/api/v1/traits/").json()] == ["Golfer"]
    sales = api_client_for(member(Role.SALES))
    assert sales.post("/api/v1/traits/", {"name": "Sailor"}, format="json").status_code == 403
    pk = created.json()["id"]
    renamed = manager.patch(f"/api/v1/traits/{pk}/", {"name": "Keen golfer"}, format="json")
    assert renamed.json()["name"] == "Keen golfer"
    assert changes_for(Trait.objects.get(pk=pk)).first().via == "api"
    assert manager.delete(f"/api/v1/traits/{pk}/").status_code == 204
    assert not Trait.objects.exists()


def test_suppression_types(api, workspace, admin, customer):
    listed = api.get("/api/v1/suppression-types/").json()
    assert {"name": "Deceased", "blocks": "all"}.items() <= listed[0].items()
    bad = api.post("/api/v1/suppression-types/", {"name": "X", "blocks": "fax"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "blocks"
    number = api.post("/api/v1/suppression-types/", {"name": "X", "description": 0}, format="json")
    assert number.json()["errors"][0]["field"] == "description"
    assert not SuppressionType.objects.filter(name="X").exists()

    deceased = _type(workspace, "Deceased")
    services.suppression_add(customer=customer, suppression_type=deceased, actor=admin)
    refused = api.delete(f"/api/v1/suppression-types/{deceased.pk}/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "in_use"
    assert "1 customer(s) have the suppression Deceased" in refused.json()["detail"]
    assert SuppressionType.objects.filter(pk=deceased.pk).exists()


def test_suppressions_create_list_update_delete(sales_api, workspace, customer):
    deceased = _type(workspace, "Deceased")
    created = sales_api.post(
        "/api/v1/suppressions/",
        {"customer": customer.pk, "suppression_type": deceased.pk, "note": "Told by son"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["note"] == "Told by son" and body["date"]
    assert changes_for(customer).first().via == "api"

    again = sales_api.post(
        "/api/v1/suppressions/",
        {"customer": customer.pk, "suppression_type": deceased.pk},
        format="json",
    )
    assert again.status_code == 400
    assert again.json()["errors"] == [
        {
            "field": "suppression_type",
            "code": "invalid",
            "message": "Ada Lovelace already has the suppression Deceased.",
        }
    ]

    listed = sales_api.get("/api/v1/suppressions/", {"customer": customer.pk}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    url = f"/api/v1/suppressions/{body['id']}/"
    changed = sales_api.patch(
        url, {"date": "2026-01-02", "suppression_type": 999}, format="json"
    ).json()
    assert (changed["date"], changed["suppression_type"]) == ("2026-01-02", deceased.pk)
    assert sales_api.put(url, {"note": "x"}, format="json").status_code == 405
    assert sales_api.delete(url).status_code == 204
    assert not Suppression.objects.exists()


def test_suppressions_refuse_foreign_ids(sales_api, customer, other_workspace, member):
    foreign_type = _type(other_workspace, "Deceased")
    response = sales_api.post(
        "/api/v1/suppressions/",
        {"customer": customer.pk, "suppression_type": foreign_type.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "suppression_type"
    assert sales_api.get("/api/v1/suppressions/", {"customer": 999999}).status_code == 400
    assert not Suppression.objects.exists()


def test_read_only_may_not_add_a_suppression(member, workspace, customer):
    read_only = api_client_for(member(Role.READ_ONLY))
    response = read_only.post(
        "/api/v1/suppressions/",
        {"customer": customer.pk, "suppression_type": _type(workspace, "Deceased").pk},
        format="json",
    )
    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_customer_traits(sales_api, workspace, admin, customer, other_workspace):
    golfer = services.trait_create(workspace=workspace, actor=admin, data={"name": "Golfer"})
    created = sales_api.post(
        "/api/v1/customer-traits/", {"customer": customer.pk, "trait": golfer.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["trait_name"] == "Golfer"
    twice = sales_api.post(
        "/api/v1/customer-traits/", {"customer": customer.pk, "trait": golfer.pk}, format="json"
    )
    assert twice.status_code == 400
    assert twice.json()["errors"][0]["message"] == "Ada Lovelace already has the trait Golfer."

    foreign = services.trait_create(workspace=other_workspace, actor=admin, data={"name": "Spy"})
    refused = sales_api.post(
        "/api/v1/customer-traits/", {"customer": customer.pk, "trait": foreign.pk}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "trait"

    listed = sales_api.get("/api/v1/customer-traits/", {"customer": customer.pk}).json()
    assert [row["trait_name"] for row in listed["results"]] == ["Golfer"]
    by_trait = sales_api.get("/api/v1/customer-traits/", {"trait": golfer.pk}).json()
    assert [row["customer"] for row in by_trait["results"]] == [customer.pk]

    pk = created.json()["id"]
    assert sales_api.delete(f"/api/v1/customer-traits/{pk}/").status_code == 204
    assert not CustomerTrait.objects.exists()
    assert changes_for(customer).first().fields[0]["old"] == "Golfer"


def test_foreign_records_answer_404(workspace, admin, customer, member, other_workspace):
    golfer = services.trait_create(workspace=workspace, actor=admin, data={"name": "Golfer"})
    link = services.customer_trait_add(customer=customer, trait=golfer, actor=admin)
    suppression = services.suppression_add(
        customer=customer, suppression_type=_type(workspace, "Deceased"), actor=admin
    )
    stranger = api_client_for(member(Role.ADMIN, other_workspace))
    for url in [
        f"/api/v1/traits/{golfer.pk}/",
        f"/api/v1/customer-traits/{link.pk}/",
        f"/api/v1/suppressions/{suppression.pk}/",
        f"/api/v1/suppression-types/{suppression.suppression_type_id}/",
    ]:
        assert stranger.get(url).status_code == 404, url
        assert stranger.delete(url).status_code == 404, url
    assert stranger.get("/api/v1/customer-traits/").json()["results"] == []
    assert Suppression.objects.exists() and CustomerTrait.objects.exists()
