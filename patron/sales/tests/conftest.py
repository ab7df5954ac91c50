import datetime
from decimal import Decimal

import pytest

from patron.customers.models import Customer
from patron.sales import services
from patron.testing.factories import make_customer

# The browser test drives Chromium with the project's browser fixtures.
from patron.tests.conftest import browser, chromium_path, open_page  # noqa: F401


@pytest.fixture
def organization(workspace, admin):
    return make_customer(
        workspace,
        admin,
        kind=Customer.Kind.ORGANIZATION,
        company_name="Hope Works",
        address_1="1 Mill Lane",
        city="Leeds",
        postcode="LS1 1AA",
        email="accounts@hopeworks.example",
    )


@pytest.fixture
def contact(workspace, admin, organization):
    return make_customer(
        workspace,
        admin,
        first_name="Grace",
        last_name="Hopper",
        email="grace@hopeworks.example",
        organization=organization,
    )


@pytest.fixture
def make_item(workspace, admin):
    def make(code="W-1", name="Widget", unit_price="10.00", tax_rate="20.00", **data):
        return services.item_create(
            workspace=data.pop("workspace", workspace),
            actor=admin,
            data={
                "code": code,
                "name": name,
                "unit_price": Decimal(unit_price),
                "tax_rate": Decimal(tax_rate),
                **data,
            },
        )

    return make


@pytest.fixture
def trade_level(workspace, admin):
    return services.price_level_create(
        workspace=workspace, actor=admin, data={"name": "Trade", "discount": Decimal("10.00")}
    )


@pytest.fixture
def quote(organization, admin):
    return services.quote_create(customer=organization, actor=admin)


@pytest.fixture
def sent_quote(quote, make_item, admin):
    services.quote_line_add(quote=quote, actor=admin, data={"item": make_item(), "quantity": 2})
    return services.quote_set_status(quote=quote, status="sent", actor=admin)


@pytest.fixture
def yesterday():
    from django.utils import timezone

    return timezone.localdate() - datetime.timedelta(days=1)
