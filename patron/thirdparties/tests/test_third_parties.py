import datetime

import pytest
from django.core.exceptions import ValidationError

from patron.conftest import api_client_for
from patron.history.services import changes_for
from patron.thirdparties import services
from patron.thirdparties.models import ThirdParty
from patron.workspaces.roles import Role

START = datetime.date(2026, 1, 1)


def test_add_edit_remove_with_history(workspace, admin, customer):
    tp = services.third_party_add(
        customer=customer,
        actor=admin,
        data={
            "name": "Acme Logistics",
            "contract_no": "C-1",
            "contract_start": START,
            "contract_value": "1200.50",
            "currency": "eur",
        },
    )
    assert tp.currency == "EUR"
    services.third_party_update(third_party=tp, actor=admin, data={"contract_no": "C-2"})
    assert changes_for(tp).first().fields == [
        {"field": "contract_no", "label": "Contract no.", "old": "C-1", "new": "C-2"}
    ]
    services.third_party_remove(third_party=tp, actor=admin)
    assert not ThirdParty.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"contract_no": "C-1", "contract_start": START}, "name"),
        ({"name": "X", "contract_start": START}, "contract_no"),
        ({"name": "X", "contract_no": "C-1"}, "contract_start"),
        (
            {
                "name": "X",
                "contract_no": "C",
                "contract_start": START,
                "contract_end": START - datetime.timedelta(days=1),
            },
            "contract_end",
        ),
        (
            {"name": "X", "contract_no": "C", "contract_start": START, "contract_value": "-1"},
            "contract_value",
        ),
    ],
)
def test_mandatory_fields_and_rules(workspace, admin, customer, data, field):
    with pytest.raises(ValidationError) as error:
        services.third_party_add(customer=customer, actor=admin, data=data)
    assert field in error.value.message_dict
    assert not ThirdParty.objects.exists()


def test_pages(admin_client, customer):
    form = admin_client.get(f"/customers/{customer.pk}/third-parties/add/").content.decode()
    assert "Contract no. *" in form
    missing = admin_client.post(f"/customers/{customer.pk}/third-parties/add/", {"name": "X"})
    assert "This field is required" in missing.content.decode()
    admin_client.post(
        f"/customers/{customer.pk}/third-parties/add/",
        {
            "name": "Acme Logistics",
            "contract_no": "C-9",
            "contract_start": "2026-02-01",
            "currency": "GBP",
            "item_usage": "2 vans",
        },
    )
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/third-parties/").content.decode()
    assert "Acme Logistics" in tab and "C-9" in tab


def test_read_only_cannot_add(client, member, customer):
    client.force_login(member(Role.READ_ONLY).user)
    assert client.get(f"/customers/{customer.pk}/third-parties/add/").status_code == 403


def test_api(member, customer):
    api = api_client_for(member(Role.SALES))
    created = api.post(
        "/api/v1/third-parties/",
        {
            "customer": customer.pk,
            "name": "Acme",
            "contract_no": "C-1",
            "contract_start": "2026-01-01",
            "contract_end": "2025-01-01",
        },
        format="json",
    )
    assert created.status_code == 400
    assert created.json()["errors"][0]["field"] == "contract_end"
    created = api.post(
        "/api/v1/third-parties/",
        {
            "customer": customer.pk,
            "name": "Acme",
            "contract_no": "C-1",
            "contract_start": "2026-01-01",
        },
        format="json",
    )
    assert created.status_code == 201
    listed = api.get("/api/v1/third-parties/", {"customer": customer.pk}).json()
    assert [row["name"] for row in listed["results"]] == ["Acme"]
