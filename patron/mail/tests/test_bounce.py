from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from patron.conftest import api_client_for
from patron.history.services import changes_for
from patron.mail.models import SentEmail
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role


@pytest.fixture
def sent(send, smtp, customer, admin):
    """An email that reached the mail server, as a bounce would later come back for."""
    return send(customer=customer, actor=admin, subject="Newsletter", body="Hi")


def test_bounce_command_marks_every_customer_with_the_address(
    capsys, workspace, other_workspace, customer, admin, sent
):
    namesake = make_customer(workspace, admin, last_name="Byron", email="ada@example.com")
    elsewhere = make_customer(other_workspace, None, last_name="Other", email="ada@example.com")

    call_command("bounce", "ADA@example.com", "--workspace", "acme", "--date", "2025-01-15")

    out = capsys.readouterr().out
    assert "ada@example.com: 2 customers marked invalid" in out
    assert "Marked 2 customers invalid in acme" in out
    since = timezone.make_aware(datetime(2025, 1, 15))
    for person in (customer, namesake):
        person.refresh_from_db()
        assert person.email_invalid_since == since
        change = changes_for(person).first()
        assert (change.via, change.reason) == ("command", "Bounce reported")
        assert change.fields[0]["field"] == "email_invalid_since"
    elsewhere.refresh_from_db()
    assert elsewhere.email_invalid_since is None
    sent.refresh_from_db()
    assert (sent.status, sent.bounced_at) == (SentEmail.Status.BOUNCED, since)


def test_bounce_command_is_all_or_nothing(customer):
    with pytest.raises(CommandError, match="not-an-address"):
        call_command("bounce", "ada@example.com", "not-an-address", "--workspace", "acme")
    customer.refresh_from_db()
    assert customer.email_invalid_since is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--workspace", "nowhere"], "No workspace"),
        (["--workspace", "acme", "--date", "yesterday"], "ISO 8601"),
        (["--workspace", "acme", "--date", "2999-01-01"], "future"),
    ],
)
def test_bounce_command_refuses_bad_options(customer, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("bounce", "ada@example.com", *arguments)


def test_bounce_endpoint_marks_and_reports(api, customer, sent):
    response = api.post(
        "/api/v1/bounces/",
        {"email": "ada@example.com", "date": "2025-02-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "email": "ada@example.com",
        "customers_marked": 1,
        "email_bounced": sent.pk,
    }
    customer.refresh_from_db()
    assert customer.email_invalid_since.isoformat() == "2025-02-01T10:00:00+00:00"
    assert changes_for(customer).first().via == "api"
    again = api.post("/api/v1/bounces/", {"email": "ada@example.com"}, format="json").json()
    assert (again["customers_marked"], again["email_bounced"]) == (0, sent.pk)
    customer.refresh_from_db()
    assert customer.email_invalid_since.isoformat() == "2025-02-01T10:00:00+00:00"


def test_a_bounce_only_touches_the_tokens_workspace(other_workspace, customer):
    foreign = api_client_for(MembershipFactory(workspace=other_workspace, role=Role.ADMIN))
    response = foreign.post("/api/v1/bounces/", {"email": "ada@example.com"}, format="json")
    assert response.json()["customers_marked"] == 0
    customer.refresh_from_db()
    assert customer.email_invalid_since is None


def test_bounce_endpoint_refuses_bad_input_and_read_only(api, member, customer):
    future = api.post(
        "/api/v1/bounces/", {"email": "ada@example.com", "date": "2999-01-01"}, format="json"
    )
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "date"
    bad = api.post("/api/v1/bounces/", {"email": "nobody"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "email"
    reader = api_client_for(member(Role.READ_ONLY))
    assert (
        reader.post("/api/v1/bounces/", {"email": "ada@example.com"}, format="json").status_code
        == 403
    )
    customer.refresh_from_db()
    assert customer.email_invalid_since is None


def test_invalid_emails_show_in_red_with_the_date(admin_client, customer):
    call_command("bounce", "ada@example.com", "--workspace", "acme", "--date", "2025-03-04")
    listing = admin_client.get("/customers/", HTTP_HX_REQUEST="true").content.decode()
    assert '<span class="invalid-email"' in listing
    assert "ada@example.com (4 Mar 2025)" in listing
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert '<span class="invalid-email">ada@example.com (invalid since 4 Mar 2025)</span>' in page
    assert "Send email" not in page


def test_correcting_the_address_clears_the_mark(admin_client, customer):
    call_command("bounce", "ada@example.com", "--workspace", "acme")
    from patron.customers.services import customer_update

    customer_update(customer=customer, actor=None, data={"email": "ada@new.example"})
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'invalid-email">ada' not in page and "ada@new.example" in page
    assert f'href="/customers/{customer.pk}/email/">Send email</a>' in page
