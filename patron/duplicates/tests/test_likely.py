"""Creating a customer warns about likely duplicates before saving (issue 6)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from patron.customers.models import Customer
from patron.duplicates.queries import likely_duplicates
from patron.testing.factories import make_customer

NEW = {
    "kind": "person",
    "first_name": "Jane",
    "last_name": "Whitfeild",
    "date_of_birth": "1980-02-09",
    "postcode": "LS1 4AB",
    "status": "active",
    "customer_type": "prospect",
}


def test_finds_the_customer_typed_another_way_and_says_why(workspace, twins):
    jane, _, _ = twins
    typed = {"last_name": "Whitfield", "first_name": "J", "postcode": "LS1 4AB"}
    found = likely_duplicates(workspace, dict(typed, date_of_birth="1980-02-09"))
    assert [customer for customer, _, _ in found][:1] == [jane]
    _, score, reasons = found[0]
    assert score >= 0.5 and "initial matches" in reasons and "same date of birth" in reasons


def test_email_and_phone_are_matched_as_stored(workspace, admin):
    sam = make_customer(workspace, admin, last_name="Okafor", mobile_phone="07911 123456")
    found = likely_duplicates(workspace, {"last_name": "Okafor", "mobile_phone": "+44 7911 123456"})
    assert found[0][0] == sam and "same phone" in found[0][2]
    eve = make_customer(workspace, admin, last_name="Adams", email="eve@example.com")
    found = likely_duplicates(workspace, {"last_name": "Adamson", "email": "EVE@example.com"})
    assert found[0][0] == eve and "same email" in found[0][2]


def test_someone_else_and_other_workspaces_are_not_proposed(workspace, other_workspace, twins):
    make_customer(other_workspace, first_name="Ann", last_name="Quill", postcode="N1 9GU")
    assert likely_duplicates(other_workspace, {"last_name": "Whitfield", "first_name": "Jane",
                                               "postcode": "LS1 4AB"}) == []  # fmt: skip
    assert likely_duplicates(workspace, {"last_name": "Quill", "first_name": "Ann",
                                         "postcode": "N1 9GU"}) == []  # fmt: skip


def test_a_few_indexed_queries_whatever_the_number_of_customers(workspace, twins):
    with CaptureQueriesContext(connection) as queries:
        likely_duplicates(workspace, dict(NEW, email="x@example.com", mobile_phone="07911123456"))
    assert len(queries) == 2  # the candidates, then the customers to show


def _html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_create_form_warns_before_saving_and_saves_anyway_on_request(admin_client, twins):
    jane, _, _ = twins
    count = Customer.objects.count()
    page = _html(admin_client.post("/customers/new/", NEW))
    assert "This customer may already be here." in page
    assert f'href="/customers/{jane.pk}/"' in page and f"no. {jane.number}" in page
    assert 'name="save_anyway"' in page
    assert Customer.objects.count() == count  # nothing saved yet
    response = admin_client.post("/customers/new/", dict(NEW, save_anyway="1"))
    assert response.status_code == 302
    assert Customer.objects.count() == count + 1


def test_a_customer_like_no_other_is_saved_at_once(admin_client, twins):
    response = admin_client.post(
        "/customers/new/", dict(NEW, first_name="Zed", last_name="Quorn", postcode="ZE1 0AA")
    )
    assert response.status_code == 302


def test_a_placeholder_date_of_birth_does_not_push_out_the_same_email(workspace, admin):
    # Old data often has everyone born on 1900-01-01: more of them than a lookup reads.
    for n in range(205):
        make_customer(workspace, admin, last_name=f"Placeholder{n}", date_of_birth="1900-01-01")
    eve = make_customer(workspace, admin, last_name="Adams", email="eve@example.com")
    typed = {"last_name": "Adamson", "email": "EVE@example.com", "date_of_birth": "1900-01-01"}
    found = likely_duplicates(workspace, typed)
    assert found and found[0][0] == eve and "same email" in found[0][2]
