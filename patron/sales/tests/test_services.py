import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patron.customers.services import customer_delete
from patron.history.models import Change
from patron.history.services import changes_for
from patron.sales import services
from patron.sales.models import CustomerPriceLevel, Quote
from patron.testing.factories import make_customer

pytestmark = pytest.mark.django_db


# Items and price levels


def test_item_codes_are_unique_in_any_letter_case(make_item, other_workspace):
    make_item(code="W-1")
    with pytest.raises(ValidationError) as refused:
        make_item(code=" w-1 ")
    assert refused.value.message_dict == {"code": ["An item with the code w-1 already exists."]}
    assert make_item(code="W-1", workspace=other_workspace).code == "W-1"


def test_item_price_and_tax_are_checked(make_item):
    with pytest.raises(ValidationError) as refused:
        make_item(unit_price="-0.01", tax_rate="100.01")
    assert set(refused.value.message_dict) == {"unit_price", "tax_rate"}


def test_item_changes_are_in_history(make_item, admin):
    item = make_item()
    services.item_update(item=item, actor=admin, data={"unit_price": Decimal("12.50")})
    change = changes_for(item).first()
    assert change.fields == [
        {"field": "unit_price", "label": "Unit price", "old": "10.00", "new": "12.50"}
    ]


def test_price_level_names_are_unique_and_discounts_0_to_100(workspace, admin, trade_level):
    with pytest.raises(ValidationError) as refused:
        services.price_level_create(
            workspace=workspace, actor=admin, data={"name": "TRADE", "discount": Decimal("5")}
        )
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.price_level_create(
            workspace=workspace, actor=admin, data={"name": "Gold", "discount": Decimal("100.5")}
        )
    assert "discount" in refused.value.message_dict


def test_a_price_level_in_use_is_not_deleted(trade_level, organization, admin):
    services.customer_price_level_set(customer=organization, price_level=trade_level, actor=admin)
    with pytest.raises(ValidationError, match="1 customer"):
        services.price_level_delete(price_level=trade_level, actor=admin)
    services.customer_price_level_set(customer=organization, price_level=None, actor=admin)
    services.price_level_delete(price_level=trade_level, actor=admin)
    assert not CustomerPriceLevel.objects.exists()


def test_people_inherit_their_organizations_level_unless_they_have_their_own(
    workspace, admin, organization, contact, trade_level
):
    assert services.effective_price_level(contact).price_level is None
    services.customer_price_level_set(customer=organization, price_level=trade_level, actor=admin)
    inherited = services.effective_price_level(contact)
    assert (inherited.price_level, inherited.inherited_from) == (trade_level, organization)
    assert inherited.discount == Decimal("10.00")
    gold = services.price_level_create(
        workspace=workspace, actor=admin, data={"name": "Gold", "discount": Decimal("15")}
    )
    services.customer_price_level_set(customer=contact, price_level=gold, actor=admin)
    own = services.effective_price_level(contact)
    assert (own.price_level, own.inherited_from) == (gold, None)
    assert services.effective_price_level(organization).price_level == trade_level


def test_setting_a_level_is_in_the_customers_history(organization, trade_level, admin):
    services.customer_price_level_set(customer=organization, price_level=trade_level, actor=admin)
    services.customer_price_level_set(customer=organization, price_level=None, actor=admin)
    fields = [change.fields[0] for change in changes_for(organization).filter(action="update")]
    assert fields[:2] == [
        {"field": "price_level", "label": "Price level", "old": "Trade (10%)", "new": ""},
        {"field": "price_level", "label": "Price level", "old": "", "new": "Trade (10%)"},
    ]


def test_a_level_of_another_workspace_is_refused(organization, admin, other_workspace):
    foreign = services.price_level_create(
        workspace=other_workspace, actor=None, data={"name": "Theirs", "discount": Decimal("50")}
    )
    with pytest.raises(ValidationError) as refused:
        services.customer_price_level_set(customer=organization, price_level=foreign, actor=admin)
    assert "price_level" in refused.value.message_dict
    assert not CustomerPriceLevel.objects.exists()


# Quotes


def test_a_new_quote_has_the_customers_details_and_the_next_number(organization, admin):
    first = services.quote_create(customer=organization, actor=admin)
    second = services.quote_create(customer=organization, actor=admin, data={"notes": "Rush"})
    assert (first.number, second.number) == (1, 2)
    assert first.customer_name == "Hope Works"
    assert first.customer_address == "1 Mill Lane\nLeeds LS1 1AA"
    assert first.customer_email == "accounts@hopeworks.example"
    assert first.currency == "GBP"
    assert first.status == Quote.Status.DRAFT
    assert first.valid_until == timezone.localdate() + datetime.timedelta(days=30)
    assert changes_for(first).get().action == Change.Action.CREATE


def test_a_quote_may_answer_a_case_of_its_customer(organization, contact, admin):
    from patron.cases import services as cases

    case = cases.case_create(customer=organization, actor=admin, data={"subject": "Leak"})
    quote = services.quote_create(customer=organization, actor=admin, data={"case": case})
    assert list(case.quotes.all()) == [quote]
    with pytest.raises(ValidationError) as refused:
        services.quote_create(customer=contact, actor=admin, data={"case": case})
    assert refused.value.message_dict == {"case": ["Choose a case of this quote's customer."]}


def test_the_workspace_currency_is_the_default(organization, admin, workspace):
    settings = services.workspace_currency_set(workspace=workspace, currency="eur", actor=admin)
    assert services.quote_create(customer=organization, actor=admin).currency == "EUR"
    assert changes_for(settings).get().fields == [
        {"field": "currency", "label": "Default currency", "old": "GBP", "new": "EUR"}
    ]
    with pytest.raises(ValidationError):
        services.workspace_currency_set(workspace=workspace, currency="EURO")
    with pytest.raises(ValidationError) as refused:
        services.quote_create(customer=organization, actor=admin, data={"currency": "E1"})
    assert "currency" in refused.value.message_dict


def test_a_line_takes_the_items_price_and_tax_and_the_price_level_discount(
    quote, make_item, trade_level, organization, admin
):
    services.customer_price_level_set(customer=organization, price_level=trade_level, actor=admin)
    line = services.quote_line_add(
        quote=quote, actor=admin, data={"item": make_item(), "quantity": Decimal("3")}
    )
    assert (line.description, line.unit_price, line.tax_rate, line.discount) == (
        "Widget",
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("10.00"),
    )
    free = services.quote_line_add(
        quote=quote,
        actor=admin,
        data={"description": "Installation", "unit_price": Decimal("50"), "discount": Decimal("0")},
    )
    assert (free.position, free.discount, free.tax_rate) == (2, Decimal("0"), Decimal("0"))
    change = changes_for(quote).first()
    assert change.fields == [
        {
            "field": "lines",
            "label": "Line 2",
            "old": "",
            "new": "Installation x 1 @ 50.00, 0% off, 0% tax",
        }
    ]


def test_a_contact_inherits_the_organizations_discount_on_its_quotes(
    contact, organization, trade_level, admin
):
    services.customer_price_level_set(customer=organization, price_level=trade_level, actor=admin)
    quote = services.quote_create(customer=contact, actor=admin)
    line = services.quote_line_add(
        quote=quote, actor=admin, data={"description": "Consulting", "unit_price": Decimal("100")}
    )
    assert line.discount == Decimal("10.00")


def test_a_line_needs_an_item_or_a_description_and_a_price(quote, admin):
    with pytest.raises(ValidationError) as refused:
        services.quote_line_add(quote=quote, actor=admin, data={"quantity": Decimal("0")})
    assert refused.value.message_dict == {
        "description": ["Choose an item or describe the line."],
        "quantity": ["Ensure this value is greater than or equal to 0.001."],
        "unit_price": ["Give a unit price, or choose an item."],
    }
    with pytest.raises(ValidationError) as refused:
        services.quote_line_add(
            quote=quote, actor=admin, data={"quantity": Decimal("0"), "unit_price": Decimal("1")}
        )
    assert refused.value.message_dict == {
        "description": ["Choose an item or describe the line."],
        "quantity": ["Ensure this value is greater than or equal to 0.001."],
    }
    assert not quote.lines.exists()


def test_inactive_or_foreign_items_are_refused(quote, make_item, admin, other_workspace):
    old = make_item(code="OLD", active=False)
    with pytest.raises(ValidationError, match="inactive"):
        services.quote_line_add(quote=quote, actor=admin, data={"item": old})
    foreign = make_item(code="X", workspace=other_workspace)
    with pytest.raises(ValidationError, match="this workspace"):
        services.quote_line_add(quote=quote, actor=admin, data={"item": foreign})


def test_only_a_drafts_lines_and_details_change(sent_quote, admin):
    line = sent_quote.lines.get()
    with pytest.raises(ValidationError, match="only a draft"):
        services.quote_line_update(line=line, actor=admin, data={"quantity": Decimal("5")})
    with pytest.raises(ValidationError, match="only a draft"):
        services.quote_line_remove(line=line, actor=admin)
    with pytest.raises(ValidationError, match="only a draft"):
        services.quote_update(quote=sent_quote, actor=admin, data={"notes": "x"})
    services.quote_set_status(quote=sent_quote, status="draft", actor=admin)
    services.quote_line_update(line=line, actor=admin, data={"quantity": Decimal("5")})
    line.refresh_from_db()
    assert line.quantity == 5


def test_status_moves(quote, make_item, admin):
    with pytest.raises(ValidationError, match="at least one line"):
        services.quote_set_status(quote=quote, status="sent", actor=admin)
    with pytest.raises(ValidationError, match="can move to: Sent, not to Accepted"):
        services.quote_set_status(quote=quote, status="accepted", actor=admin)
    services.quote_line_add(quote=quote, actor=admin, data={"item": make_item()})
    services.quote_set_status(quote=quote, status="sent", actor=admin)
    accepted = services.quote_set_status(quote=quote, status="accepted", actor=admin)
    assert accepted.status == "accepted"
    with pytest.raises(ValidationError, match="it can move to: none"):
        services.quote_set_status(quote=quote, status="draft", actor=admin)
    statuses = [f["new"] for c in changes_for(quote) for f in c.fields if f["field"] == "status"]
    assert statuses == ["Accepted", "Sent", "Draft"]


def test_a_quote_past_valid_until_is_shown_expired_and_cannot_be_accepted(
    sent_quote, admin, yesterday
):
    Quote.objects.filter(pk=sent_quote.pk).update(valid_until=yesterday)
    sent_quote.refresh_from_db()
    assert (sent_quote.status, sent_quote.shown_status) == ("sent", "expired")
    with pytest.raises(ValidationError, match="expired on"):
        services.quote_set_status(quote=sent_quote, status="accepted", actor=admin)
    assert Quote.objects.get(pk=sent_quote.pk).status == "sent"


def test_a_contact_accepts_or_declines_its_own_sent_quote(
    workspace, admin, organization, contact, make_item
):
    quote = services.quote_create(customer=organization, actor=admin)
    services.quote_line_add(quote=quote, actor=admin, data={"item": make_item()})
    stranger = make_customer(workspace, admin, last_name="Stranger")
    with pytest.raises(ValidationError, match="accept or decline"):
        services.quote_set_status(
            quote=quote, status="sent", actor=None, via="portal", contact=contact
        )
    with pytest.raises(ValidationError, match="can move to: Sent"):
        services.quote_set_status(
            quote=quote, status="accepted", actor=None, via="portal", contact=contact
        )
    services.quote_set_status(quote=quote, status="sent", actor=admin)
    with pytest.raises(ValidationError, match="not for you"):
        services.quote_set_status(
            quote=quote, status="accepted", actor=None, via="portal", contact=stranger
        )
    with pytest.raises(ValidationError, match="accept or decline"):
        services.quote_set_status(
            quote=quote, status="draft", actor=None, via="portal", contact=contact
        )
    services.quote_set_status(
        quote=quote, status="declined", actor=None, via="portal", contact=contact
    )
    change = changes_for(quote).first()
    assert (change.via, change.reason, change.actor) == (
        "portal",
        "By Grace Hopper in the portal.",
        None,
    )


def test_a_contact_sees_the_sent_quotes_of_itself_and_its_organization(
    workspace, admin, organization, contact, sent_quote, make_item
):
    from patron.sales.queries import quotes_for_contact

    services.quote_create(customer=organization, actor=admin)  # a draft: not yet
    own = services.quote_create(customer=contact, actor=admin)
    services.quote_line_add(quote=own, actor=admin, data={"item": make_item(code="O")})
    services.quote_set_status(quote=own, status="sent", actor=admin)
    colleague = make_customer(workspace, admin, last_name="Other", organization=organization)
    theirs = services.quote_create(customer=colleague, actor=admin)
    services.quote_line_add(quote=theirs, actor=admin, data={"item": make_item(code="T")})
    services.quote_set_status(quote=theirs, status="sent", actor=admin)
    assert list(quotes_for_contact(contact)) == [own, sent_quote]


def test_no_quote_for_a_customer_in_the_recycle_bin(organization, admin):
    customer_delete(customer=organization, actor=admin)
    organization.refresh_from_db()
    with pytest.raises(ValidationError, match="recycle bin"):
        services.quote_create(customer=organization, actor=admin)
    assert not Quote.objects.exists()


def test_purging_the_customer_takes_its_quotes_and_their_history(
    organization, sent_quote, admin, settings
):
    from patron.customers.services import customers_purge

    settings.PATRON_PURGE_AFTER_DAYS = 0
    customer_delete(customer=organization, actor=admin)
    assert customers_purge() == 1
    assert not Quote.objects.exists()
    assert not Change.objects.filter(content_type__model="quote").exists()


def test_a_quote_is_on_the_customers_timeline(quote, organization):
    from patron.customers.customer_page import timeline_for

    entries = [e for e in timeline_for(organization) if e.kind == "Quote"]
    assert [(e.title, e.url) for e in entries] == [("Quote 1 (Draft)", f"/quotes/{quote.pk}/")]


# Service contracts


def test_a_contract_with_an_organization_and_its_items(organization, make_item, admin):
    widget, gadget = make_item(), make_item(code="G-1", name="Gadget")
    contract = services.contract_create(
        customer=organization,
        actor=admin,
        data={
            "name": "Support 2027",
            "start_date": datetime.date(2027, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "status": "active",
            "supported_items": [widget, gadget],
        },
    )
    assert set(contract.supported_items.all()) == {widget, gadget}
    created = {f["field"]: f["new"] for f in changes_for(contract).get().fields}
    assert created["supported_items"] == "G-1 Gadget, W-1 Widget"
    services.contract_update(
        contract=contract, actor=admin, data={"supported_items": [gadget], "status": "cancelled"}
    )
    updated = {f["field"]: (f["old"], f["new"]) for f in changes_for(contract).first().fields}
    assert updated == {
        "status": ("Active", "Cancelled"),
        "supported_items": ("G-1 Gadget, W-1 Widget", "G-1 Gadget"),
    }


def test_a_contract_ends_after_it_starts_and_is_with_an_organization(organization, contact, admin):
    data = {"name": "Bad", "start_date": datetime.date(2027, 2, 1)}
    with pytest.raises(ValidationError) as refused:
        services.contract_create(
            customer=organization,
            actor=admin,
            data={**data, "end_date": datetime.date(2027, 1, 31)},
        )
    assert refused.value.message_dict == {
        "end_date": ["The end date cannot be before the start date."]
    }
    with pytest.raises(ValidationError) as refused:
        services.contract_create(
            customer=contact, actor=admin, data={**data, "end_date": datetime.date(2027, 3, 1)}
        )
    assert "customer" in refused.value.message_dict
    assert not organization.service_contracts.exists()
