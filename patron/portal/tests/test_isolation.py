"""Portal isolation, walked over the portal's URLconf: every portal page and action with
an id, opened by a contact of another organization of the same workspace and by a
contact of another workspace, answers 404 and changes nothing. (The staff-side walk in
patron/tests/test_isolation.py logs in staff, which the portal never accepts.)"""

import pytest
from django.urls import reverse

from patron.cases.models import Case
from patron.portal import services
from patron.portal.tests.conftest import give_access, portal_log_in
from patron.portal.urls import portal_patterns
from patron.sales import services as sales_services
from patron.sales.models import Quote
from patron.testing.factories import make_customer

PORTAL_ROUTES = [
    (entry.name, str(entry.pattern))
    for entry in portal_patterns[0]
    if "pk" in entry.pattern.converters
]


def test_the_walk_covers_the_portal_pages_with_an_id():
    assert {name for name, _ in PORTAL_ROUTES} == {
        "request_detail",
        "request_cancel",
        "quote_detail",
        "quote_answer",
    }


@pytest.fixture
def victim(access, admin):
    """The contact's request and sent quote; the contact is an organization manager, so
    even the widest right of another contact must not reach them."""
    services.portal_access_set_manager(access=access, is_organization_manager=True, actor=None)
    case = services.portal_request_raise(access=access, subject="Secret", description="Secret")
    quote = sales_services.quote_create(customer=access.customer, actor=admin)
    sales_services.quote_line_add(
        quote=quote, actor=admin, data={"description": "Secret", "unit_price": "9.00"}
    )
    sales_services.quote_set_status(quote=quote, status="sent", actor=admin)
    return {"request": case, "quote": quote}


@pytest.fixture(params=["other organization", "other workspace"])
def intruder(request, workspace, other_workspace, admin):
    """A manager of another organization (same workspace), or one of another workspace."""
    target = workspace if request.param == "other organization" else other_workspace
    organization = make_customer(target, None, kind="organization", company_name="Initech")
    stranger = make_customer(
        target,
        None,
        first_name="Peter",
        last_name="Gibbons",
        email="peter@initech.example",
        organization=organization,
    )
    return give_access(stranger, manager=True)


@pytest.mark.parametrize("name", [name for name, _ in PORTAL_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_contacts_ids_answer_404(client, victim, intruder, name, method):
    kind = "request" if name.startswith("request") else "quote"
    url = reverse(f"portal:{name}", args=[victim[kind].pk])
    portal_log_in(client, intruder.customer.email)
    data = {"status": "accepted"} if method == "post" else None
    response = getattr(client, method)(url, data)
    if response.status_code == 405:
        return
    assert response.status_code == 404, (url, method, response.status_code)
    assert Case.objects.get(pk=victim["request"].pk).status == "open"
    assert Quote.objects.get(pk=victim["quote"].pk).status == "sent"


def test_lists_show_nothing_of_another_contact(client, victim, intruder):
    portal_log_in(client, intruder.customer.email)
    for url in ("/portal/", "/portal/requests/", "/portal/quotes/"):
        assert "Secret" not in client.get(url).content.decode(), url
