import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patron.history.services import changes_for
from patron.sales import services
from patron.sales.models import CustomerPriceLevel, Item, Quote
from patron.workspaces.roles import Role

pytestmark = pytest.mark.django_db


def _client_for(client, member, role):
    client.force_login(member(role).user)
    return client


def test_create_a_quote_from_the_customer_page_with_three_lines_and_a_discount(
    admin_client, organization, trade_level, make_item, admin
):
    services.customer_price_level_set(customer=organization, price_level=trade_level, actor=admin)
    make_item(code="B-1", name="Boiler", unit_price="49.99")
    page = admin_client.get(organization.get_absolute_url()).content.decode()
    assert f'href="/customers/{organization.pk}/quotes/new/"' in page

    form = admin_client.get(f"/customers/{organization.pk}/quotes/new/").content.decode()
    assert "Hope Works" in form and "1 Mill Lane" in form and "inherited" not in form
    valid = timezone.localdate() + datetime.timedelta(days=14)
    response = admin_client.post(
        f"/customers/{organization.pk}/quotes/new/",
        {
            "customer_name": "Hope Works Ltd",
            "customer_address": "1 Mill Lane\nLeeds",
            "customer_email": "accounts@hopeworks.example",
            "valid_until": valid.isoformat(),
            "currency": "gbp",
            "notes": "",
        },
    )
    quote = Quote.objects.get()
    assert response.status_code == 302 and response.url == f"/quotes/{quote.pk}/"
    assert (quote.customer_name, quote.currency, quote.valid_until) == (
        "Hope Works Ltd",
        "GBP",
        valid,
    )
    item = Item.objects.get(code="B-1")
    for data in (
        {"item": item.pk, "quantity": "2"},
        {"description": "Fitting", "quantity": "1", "unit_price": "120.00", "tax_rate": "20"},
        {"description": "Pipes", "quantity": "3.5", "unit_price": "8.40"},
    ):
        response = admin_client.post(f"/quotes/{quote.pk}/lines/add/", data)
        assert response.status_code == 302, response.content.decode()
    page = admin_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-total="subtotal">249.38<' in page
    assert 'data-total="discount">\u221224.94<' in page
    assert 'data-total="tax">39.60<' in page
    assert 'data-total="total">264.04<' in page
    printable = admin_client.get(f"/quotes/{quote.pk}/print/").content.decode()
    assert "Acme Trading" in printable and "Hope Works Ltd" in printable
    assert 'data-total="total">264.04<' in printable and "Boiler" in printable
    assert "<nav" not in printable, "the printable view is the quote alone"


def test_the_quote_form_offers_the_customers_own_cases(admin_client, organization, contact, admin):
    from patron.cases import services as cases

    own = cases.case_create(customer=organization, actor=admin, data={"subject": "Leak"})
    cases.case_create(customer=contact, actor=admin, data={"subject": "Someone else's"})
    form = admin_client.get(f"/customers/{organization.pk}/quotes/new/").content.decode()
    assert f'<option value="{own.pk}">{own}</option>' in form
    assert "Someone else" not in form
    admin_client.post(
        f"/customers/{organization.pk}/quotes/new/",
        {"valid_until": "2099-01-01", "currency": "GBP", "case": own.pk},
    )
    quote = Quote.objects.get()
    assert quote.case == own
    assert f'href="/cases/{own.pk}/"' in admin_client.get(f"/quotes/{quote.pk}/").content.decode()


def test_a_bad_line_says_what_is_wrong_and_adds_nothing(admin_client, quote):
    response = admin_client.post(
        f"/quotes/{quote.pk}/lines/add/", {"quantity": "-1", "discount": "101"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose an item or describe the line." in page
    assert "Ensure this value is less than or equal to 100." in page
    assert not quote.lines.exists()


def test_edit_and_remove_a_line(admin_client, quote, admin):
    line = services.quote_line_add(
        quote=quote, actor=admin, data={"description": "Visit", "unit_price": Decimal("80")}
    )
    response = admin_client.post(
        f"/quote-lines/{line.pk}/edit/",
        {
            "description": "Visit",
            "quantity": "2",
            "unit_price": "80",
            "discount": "0",
            "tax_rate": "0",
        },
    )
    assert response.status_code == 302
    assert 'data-total="total">160.00<' in admin_client.get(f"/quotes/{quote.pk}/").content.decode()
    admin_client.post(f"/quote-lines/{line.pk}/delete/")
    assert not quote.lines.exists()
    labels = [c.fields[0]["old"] for c in changes_for(quote)[:2]]
    assert labels == ["Visit x 2 @ 80.00, 0% off, 0% tax", "Visit x 1 @ 80.00, 0% off, 0% tax"]


def test_status_actions(admin_client, quote, admin, make_item):
    response = admin_client.post(f"/quotes/{quote.pk}/status/", {"status": "sent"}, follow=True)
    assert "Add at least one line before sending the quote." in response.content.decode()
    services.quote_line_add(quote=quote, actor=admin, data={"item": make_item()})
    response = admin_client.post(f"/quotes/{quote.pk}/status/", {"status": "sent"}, follow=True)
    page = response.content.decode()
    assert "Quote 1 is now Sent." in page
    assert "Mark as accepted" in page and "Add line" not in page
    quote.refresh_from_db()
    assert quote.status == "sent"


def test_a_quote_past_its_date_shows_expired(admin_client, sent_quote, yesterday):
    Quote.objects.filter(pk=sent_quote.pk).update(valid_until=yesterday)
    page = admin_client.get(f"/quotes/{sent_quote.pk}/").content.decode()
    assert '<span class="badge quote-expired" id="quote-status">Expired</span>' in page
    listed = admin_client.get("/quotes/?status=expired").content.decode()
    assert f'href="/quotes/{sent_quote.pk}/"' in listed
    assert (
        f'href="/quotes/{sent_quote.pk}/"'
        not in admin_client.get("/quotes/?status=sent").content.decode()
    )


def test_quote_list_and_tab(admin_client, quote, sent_quote, organization):
    page = admin_client.get("/quotes/").content.decode()
    assert "2 quotes" in page or "1 quote" in page
    drafts = admin_client.get("/quotes/?status=draft").content.decode()
    assert "0 quotes" in drafts  # the fixture's quote was sent
    tab = admin_client.get(f"/customers/{organization.pk}/tabs/quotes/").content.decode()
    assert f'href="/quotes/{quote.pk}/"' in tab and "24.00 GBP" in tab


def test_price_level_on_the_customer_page_says_where_it_comes_from(
    admin_client, organization, contact, trade_level
):
    response = admin_client.post(
        f"/customers/{organization.pk}/price-level/", {"price_level": trade_level.pk}
    )
    assert response.status_code == 302
    assert CustomerPriceLevel.objects.get().customer == organization
    tab = admin_client.get(f"/customers/{contact.pk}/tabs/price-level/").content.decode()
    assert "Trade" in tab and "inherited from" in tab and "Hope Works" in tab


def test_set_up_pages_add_items_and_levels(admin_client):
    response = admin_client.post(
        "/setup/items/",
        {"code": "S-1", "name": "Service", "unit_price": "99.5", "tax_rate": "20", "active": "on"},
    )
    assert response.status_code == 302
    assert Item.objects.get().unit_price == Decimal("99.50")
    again = admin_client.post(
        "/setup/items/", {"code": "s-1", "name": "Again", "unit_price": "1", "tax_rate": "0"}
    )
    assert "An item with the code s-1 already exists." in again.content.decode()
    response = admin_client.post("/setup/price-levels/", {"name": "Trade", "discount": "12.5"})
    assert response.status_code == 302
    admin_client.post("/setup/items/currency/", {"currency": "usd"})
    assert services.workspace_currency(Item.objects.get().workspace) == "USD"


@pytest.mark.parametrize("role", [Role.SALES, Role.READ_ONLY])
def test_only_managers_set_up_the_catalogue_and_levels(client, member, role, organization):
    client = _client_for(client, member, role)
    assert client.get("/setup/items/").status_code == 403
    assert client.post("/setup/price-levels/", {"name": "X", "discount": "1"}).status_code == 403
    assert client.get(f"/customers/{organization.pk}/price-level/").status_code == 403


def test_read_only_sees_quotes_but_changes_nothing(client, member, sent_quote, organization):
    client = _client_for(client, member, Role.READ_ONLY)
    assert client.get(f"/quotes/{sent_quote.pk}/").status_code == 200
    assert client.get(f"/quotes/{sent_quote.pk}/print/").status_code == 200
    assert client.get(f"/customers/{organization.pk}/quotes/new/").status_code == 403
    assert (
        client.post(f"/quotes/{sent_quote.pk}/status/", {"status": "accepted"}).status_code == 403
    )
    sent_quote.refresh_from_db()
    assert sent_quote.status == "sent"


def test_sales_may_make_quotes_and_contracts(client, member, organization, make_item):
    client = _client_for(client, member, Role.SALES)
    assert (
        client.post(
            f"/customers/{organization.pk}/quotes/new/",
            {"valid_until": "2099-01-01", "currency": "GBP"},
        ).status_code
        == 302
    )
    item = make_item()
    response = client.post(
        f"/customers/{organization.pk}/service-contracts/new/",
        {
            "name": "Support",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "status": "active",
            "supported_items": [item.pk],
        },
    )
    assert response.status_code == 302
    contract = organization.service_contracts.get()
    assert list(contract.supported_items.all()) == [item]
    listed = client.get("/service-contracts/?status=active").content.decode()
    assert "Support" in listed and "W-1" in listed
    tab = client.get(f"/customers/{organization.pk}/tabs/service-contracts/").content.decode()
    assert f'href="/service-contracts/{contract.pk}/"' in tab


def test_contract_form_says_what_is_wrong(admin_client, organization, contact):
    response = admin_client.post(
        f"/customers/{organization.pk}/service-contracts/new/",
        {"name": "Bad", "start_date": "2027-02-01", "end_date": "2027-01-01", "status": "draft"},
    )
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not organization.service_contracts.exists()
    # A person has no service contracts: the page is not there.
    assert admin_client.get(f"/customers/{contact.pk}/service-contracts/new/").status_code == 404


def test_lists_read_a_fixed_number_of_queries(
    admin_client, organization, admin, django_assert_max_num_queries
):
    """The quote list and Quotes tab compute totals from prefetched lines: no query per
    quote, however many there are."""

    def make_quotes(count):
        for _ in range(count):
            quote = services.quote_create(customer=organization, actor=admin)
            for price in ("1.00", "2.50", "3.75"):
                services.quote_line_add(
                    quote=quote,
                    actor=admin,
                    data={"description": "X", "unit_price": Decimal(price)},
                )

    make_quotes(2)
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/quotes/")
    make_quotes(20)
    with django_assert_max_num_queries(len(few)):
        page = admin_client.get("/quotes/").content.decode()
    assert page.count("7.25 GBP") == 22
    with django_assert_max_num_queries(len(few)):
        admin_client.get(f"/customers/{organization.pk}/tabs/quotes/")
