import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patron.calls import services
from patron.calls.models import ColdCall
from patron.conftest import api_client_for
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.workspaces.roles import Role

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def test_a_call_to_someone_new_creates_the_prospect(workspace, admin):
    call = services.cold_call_log(
        workspace=workspace,
        actor=admin,
        data={"outcome": "interested", "notes": "Wants a brochure", "follow_up_on": TOMORROW},
        new_customer={"first_name": "Nina", "last_name": "Simone", "work_phone": "0113 496 0001"},
    )
    customer = call.customer
    assert (customer.last_name, customer.customer_type) == ("Simone", Customer.Type.PROSPECT)
    assert customer.work_phone == "+441134960001"
    assert changes_for(call).get().actor == admin


def test_bad_prospect_or_bad_call_saves_neither(workspace, admin):
    with pytest.raises(ValidationError) as error:
        services.cold_call_log(
            workspace=workspace,
            actor=admin,
            data={"outcome": "interested"},
            new_customer={"last_name": "Simone", "email": "not-an-email"},
        )
    assert "new_customer.email" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.cold_call_log(
            workspace=workspace,
            actor=admin,
            data={"outcome": "interested", "follow_up_on": YESTERDAY},
            new_customer={"last_name": "Simone"},
        )
    assert "cannot be in the past" in error.value.message_dict["follow_up_on"][0]
    assert not Customer.objects.exists() and not ColdCall.objects.exists()


def test_an_old_calls_past_follow_up_does_not_block_editing(workspace, admin, customer):
    call = services.cold_call_log(
        workspace=workspace,
        actor=admin,
        data={"outcome": "call_back", "follow_up_on": TOMORROW},
        customer=customer,
    )
    ColdCall.objects.filter(pk=call.pk).update(follow_up_on=YESTERDAY)
    call.refresh_from_db()
    services.cold_call_update(
        call=call, actor=admin, data={"notes": "Rang again", "follow_up_on": YESTERDAY}
    )
    call.refresh_from_db()
    assert call.notes == "Rang again"


def test_page_for_someone_new(admin_client):
    response = admin_client.post(
        "/calls/new/",
        {
            "new_customer-last_name": "Holiday",
            "new_customer-first_name": "Billie",
            "called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "outcome": "meeting",
            "follow_up_on": TOMORROW.isoformat(),
        },
    )
    customer = Customer.objects.get(last_name="Holiday")
    assert response.url == customer.get_absolute_url()
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/calls/").content.decode()
    assert "Meeting booked" in tab


def test_page_errors_keep_everything_unsaved(admin_client):
    response = admin_client.post(
        "/calls/new/",
        {
            "new_customer-last_name": "",
            "called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "outcome": "meeting",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("A person needs a last name.") == 1 and "This field is required" not in page
    assert not Customer.objects.exists()


def test_page_for_an_existing_customer_and_the_due_tile(admin_client, customer):
    admin_client.post(
        f"/customers/{customer.pk}/calls/new/",
        {
            "called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "outcome": "call_back",
            "follow_up_on": timezone.localdate().isoformat(),
        },
    )
    assert customer.cold_calls.count() == 1
    home = admin_client.get("/").content.decode()
    assert 'id="tile-follow-ups-due"><span class="tile-count">1</span>' in home
    due = admin_client.get("/calls/?follow_up=due").content.decode()
    assert "Asked to call back" in due


def test_read_only_cannot_log(client, member, customer):
    client.force_login(member(Role.READ_ONLY).user)
    assert client.get(f"/customers/{customer.pk}/calls/new/").status_code == 403
    assert client.get("/calls/new/").status_code == 403


def test_api_call_with_a_new_prospect_and_with_a_customer(member, customer):
    api = api_client_for(member(Role.SALES))
    created = api.post(
        "/api/v1/cold-calls/",
        {"outcome": "interested", "new_customer": {"last_name": "Fitzgerald"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert Customer.objects.get(pk=created.json()["customer"]).last_name == "Fitzgerald"
    both = api.post(
        "/api/v1/cold-calls/",
        {"outcome": "interested", "customer": customer.pk, "new_customer": {"last_name": "X"}},
        format="json",
    )
    assert both.status_code == 400
    bad = api.post(
        "/api/v1/cold-calls/",
        {"outcome": "interested", "new_customer": {"last_name": "Y", "email": "bad"}},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "new_customer.email"
    listed = api.get("/api/v1/cold-calls/", {"customer": customer.pk}).json()
    assert listed["count"] == 0
