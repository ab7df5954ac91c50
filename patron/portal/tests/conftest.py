"""An organization with two contacts who log in to the portal, and a client logged in as
one of them."""

import pytest

from patron.mail.tests.conftest import smtp  # noqa: F401 - a real SMTP server on loopback
from patron.portal import services
from patron.testing.factories import make_customer

PORTAL_PASSWORD = "Blue-kettle-47-rain"


def give_access(customer, *, manager=False, password=PORTAL_PASSWORD):
    """Portal access with a known password (the generated one is emailed on commit)."""
    access = services.portal_access_grant(customer=customer, actor=None, via="test")
    access = services.portal_password_set(access=access, actor=None, password=password)
    if manager:
        access = services.portal_access_set_manager(
            access=access, is_organization_manager=True, actor=None
        )
    return access


@pytest.fixture
def organization(workspace, admin):
    return make_customer(workspace, admin, kind="organization", company_name="Globex Ltd")


@pytest.fixture
def contact(workspace, admin, organization):
    return make_customer(
        workspace,
        admin,
        first_name="Grace",
        last_name="Hopper",
        email="grace@globex.example",
        organization=organization,
    )


@pytest.fixture
def colleague(workspace, admin, organization):
    return make_customer(
        workspace,
        admin,
        first_name="Alan",
        last_name="Turing",
        email="alan@globex.example",
        organization=organization,
    )


@pytest.fixture
def access(contact):
    return give_access(contact)


def portal_log_in(client, email, password=PORTAL_PASSWORD):
    response = client.post("/portal/login/", {"email": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def portal(client, access):
    """A client logged in to the portal as the contact (and not to Patron's staff side)."""
    return portal_log_in(client, access.customer.email)
