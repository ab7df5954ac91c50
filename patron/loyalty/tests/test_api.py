from patron.conftest import api_client_for
from patron.loyalty import services
from patron.loyalty.models import LoyaltyEntry
from patron.workspaces.roles import Role


def test_book_points_and_read_the_balance(api, customer):
    response = api.post(
        "/api/v1/loyalty-entries/",
        {"customer": customer.pk, "kind": "earned", "points": 25, "reason": "Order 9"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    api.post(
        "/api/v1/loyalty-entries/",
        {"customer": customer.pk, "kind": "redeemed", "points": -5},
        format="json",
    )
    balance = api.get(f"/api/v1/loyalty-balances/{customer.pk}/").json()
    assert balance == {"customer": customer.pk, "balance": 20}
    listed = api.get("/api/v1/loyalty-entries/", {"customer": customer.pk}).json()["results"]
    assert [(row["kind"], row["points"]) for row in listed] == [("redeemed", -5), ("earned", 25)]


def test_overdrawing_is_a_400_on_points(api, customer):
    response = api.post(
        "/api/v1/loyalty-entries/",
        {"customer": customer.pk, "kind": "redeemed", "points": -1},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "points"
    assert "below zero" in response.json()["errors"][0]["message"]
    assert not LoyaltyEntry.objects.exists()


def test_entries_are_never_edited(api, customer, admin):
    entry = services.loyalty_earn(customer=customer, points=5, actor=admin)
    assert api.patch(f"/api/v1/loyalty-entries/{entry.pk}/", {"points": 9}).status_code == 405
    assert api.delete(f"/api/v1/loyalty-entries/{entry.pk}/").status_code == 405


def test_house_accounts_api(api, customer, house_account):
    response = api.post(
        "/api/v1/customer-house-accounts/",
        {"customer": customer.pk, "house_account": house_account.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["house_account_name"] == "Trade"
    again = api.post(
        "/api/v1/customer-house-accounts/",
        {"customer": customer.pk, "house_account": house_account.pk},
        format="json",
    )
    assert again.status_code == 400
    assert api.delete(f"/api/v1/house-accounts/{house_account.pk}/").status_code == 409
    response = api.patch(
        f"/api/v1/house-accounts/{house_account.pk}/", {"credit_limit": "-1.00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "credit_limit"


def test_read_only_can_read_only(member, customer, house_account):
    api = api_client_for(member(Role.READ_ONLY))
    assert api.get(f"/api/v1/loyalty-balances/{customer.pk}/").json()["balance"] == 0
    response = api.post(
        "/api/v1/loyalty-entries/",
        {"customer": customer.pk, "kind": "earned", "points": 5},
        format="json",
    )
    assert response.status_code == 403
    assert api.post("/api/v1/house-accounts/", {"name": "X"}, format="json").status_code == 403
    sales = api_client_for(member(Role.SALES))
    assert sales.post("/api/v1/house-accounts/", {"name": "X"}, format="json").status_code == 403
    assert not LoyaltyEntry.objects.exists()


def test_house_accounts_filter_by_active(api, house_account, workspace):
    services.house_account_create(
        workspace=workspace, actor=None, data={"name": "Closed", "active": False}
    )
    names = [row["name"] for row in api.get("/api/v1/house-accounts/?active=true").json()]
    assert names == ["Trade"]
    assert api.get("/api/v1/house-accounts/?active=maybe").status_code == 400
