from decimal import Decimal

import pytest

from patron.conftest import api_client_for
from patron.history.services import changes_for
from patron.sales import services
from patron.sales.models import CustomerPriceLevel, Item, Quote
from patron.workspaces.roles import Role

pytestmark = pytest.mark.django_db


def test_items_crud_and_unique_codes(api):
    response = api.post(
        "/api/v1/items/",
        {"code": "W-1", "name": "Widget", "unit_price": "10.50", "tax_rate": "20"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["unit_price"] == "10.50" and response.json()["active"] is True
    again = api.post(
        "/api/v1/items/", {"code": "w-1", "name": "Again", "unit_price": "1"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["errors"] == [
        {"field": "code", "code": "invalid", "message": "An item with the code w-1 already exists."}
    ]
    item = Item.objects.get()
    patched = api.patch(f"/api/v1/items/{item.pk}/", {"active": False}, format="json")
    assert patched.json()["active"] is False
    assert api.delete(f"/api/v1/items/{item.pk}/").status_code == 405


def test_amounts_are_strings_with_two_decimals_at_most(api):
    for price in (10.5, "10.505", "-1"):
        response = api.post(
            "/api/v1/items/", {"code": "X", "name": "X", "unit_price": price}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "unit_price"
    assert not Item.objects.exists()


def test_quote_with_nested_lines_and_computed_totals(api, organization, trade_level, make_item):
    services.customer_price_level_set(customer=organization, price_level=trade_level, actor=None)
    created = api.post("/api/v1/quotes/", {"customer": organization.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["number"], body["customer_name"], body["currency"], body["status"]) == (
        1,
        "Hope Works",
        "GBP",
        "draft",
    )
    item = make_item(unit_price="49.99")
    lines = [
        {"quote": body["id"], "item": item.pk, "quantity": "2"},
        {"quote": body["id"], "description": "Fitting", "unit_price": "120.00", "tax_rate": "20"},
        {"quote": body["id"], "description": "Pipes", "quantity": "3.5", "unit_price": "8.40"},
    ]
    for line in lines:
        response = api.post("/api/v1/quote-lines/", line, format="json")
        assert response.status_code == 201, response.json()
    assert response.json()["discount"] == "10.00" and response.json()["total"] == "26.46"
    quote = api.get(f"/api/v1/quotes/{body['id']}/").json()
    assert [line["description"] for line in quote["lines"]] == ["Widget", "Fitting", "Pipes"]
    assert quote["totals"] == {
        "subtotal": "249.38",
        "discount": "24.94",
        "net": "224.44",
        "tax": "39.60",
        "total": "264.04",
    }
    # Totals are computed: writing them changes nothing.
    api.patch(f"/api/v1/quotes/{body['id']}/", {"totals": {"total": "1.00"}}, format="json")
    assert api.get(f"/api/v1/quotes/{body['id']}/").json()["totals"]["total"] == "264.04"


def test_quote_status_action(api, quote, make_item):
    refused = api.post(f"/api/v1/quotes/{quote.pk}/status/", {"status": "sent"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == (
        "Add at least one line before sending the quote."
    )
    services.quote_line_add(quote=quote, actor=None, data={"item": make_item()})
    sent = api.post(f"/api/v1/quotes/{quote.pk}/status/", {"status": "sent"}, format="json")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    locked = api.post(
        "/api/v1/quote-lines/",
        {"quote": quote.pk, "description": "More", "unit_price": "1"},
        format="json",
    )
    assert locked.status_code == 400 and "only a draft" in locked.json()["errors"][0]["message"]
    assert changes_for(quote).first().via == "api"


def test_quote_filters(api, quote, sent_quote, yesterday):
    Quote.objects.filter(pk=sent_quote.pk).update(valid_until=yesterday)
    expired = api.get("/api/v1/quotes/?status=expired").json()["results"]
    assert [row["id"] for row in expired] == [sent_quote.pk]
    assert expired[0]["shown_status"] == "expired" and expired[0]["status"] == "sent"
    assert api.get("/api/v1/quotes/?status=sent").json()["count"] == 0


def test_customer_price_levels(api, organization, contact, trade_level):
    response = api.post(
        "/api/v1/customer-price-levels/",
        {"customer": organization.pk, "price_level": trade_level.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert services.effective_price_level(contact).inherited_from == organization
    link = CustomerPriceLevel.objects.get()
    assert api.delete(f"/api/v1/customer-price-levels/{link.pk}/").status_code == 204
    assert services.effective_price_level(contact).price_level is None


def test_a_price_level_in_use_is_a_409(api, organization, trade_level):
    services.customer_price_level_set(customer=organization, price_level=trade_level, actor=None)
    response = api.delete(f"/api/v1/price-levels/{trade_level.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "in_use"


def test_service_contracts_api(api, organization, contact, make_item):
    item = make_item()
    data = {
        "customer": organization.pk,
        "name": "Support",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "status": "active",
        "supported_items": [item.pk],
    }
    created = api.post("/api/v1/service-contracts/", data, format="json")
    assert created.status_code == 201 and created.json()["supported_items"] == [item.pk]
    refused = api.post(
        "/api/v1/service-contracts/", {**data, "customer": contact.pk}, format="json"
    )
    assert refused.json()["errors"] == [
        {
            "field": "customer",
            "code": "invalid",
            "message": "A service contract is made with an organization.",
        }
    ]


@pytest.mark.parametrize("role", [Role.SALES, Role.READ_ONLY])
def test_only_managers_write_items_and_levels(member, role):
    api = api_client_for(member(role))
    assert api.get("/api/v1/items/").status_code == 200
    assert (
        api.post(
            "/api/v1/items/", {"code": "X", "name": "X", "unit_price": "1"}, format="json"
        ).status_code
        == 403
    )
    assert (
        api.post("/api/v1/price-levels/", {"name": "X", "discount": "1"}, format="json").status_code
        == 403
    )


def test_read_only_cannot_make_quotes(member, organization):
    api = api_client_for(member(Role.READ_ONLY))
    response = api.post("/api/v1/quotes/", {"customer": organization.pk}, format="json")
    assert response.status_code == 403
    sales = api_client_for(member(Role.SALES))
    assert (
        sales.post("/api/v1/quotes/", {"customer": organization.pk}, format="json").status_code
        == 201
    )
    assert Decimal(sales.get("/api/v1/quotes/").json()["results"][0]["totals"]["total"]) == 0
