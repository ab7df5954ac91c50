import datetime
import re

import pytest
from django.utils import timezone

from patron.history.services import changes_for
from patron.marketing import services
from patron.marketing.models import Suppression, SuppressionType, Trait
from patron.workspaces.roles import Role


def _type(workspace, name: str) -> SuppressionType:
    return SuppressionType.objects.get(workspace=workspace, name=name)


def _ticked(page: str, pk: int) -> bool:
    box = re.search(rf'<input type="checkbox" name="traits" value="{pk}"[^>]*>', page)
    assert box, f"no checkbox for trait {pk}"
    return "checked" in box.group()


@pytest.fixture
def sales_client(client, member):
    client.force_login(member(Role.SALES).user)
    return client


def test_add_suppression_from_the_left_menu(sales_client, workspace, customer):
    page = sales_client.get(customer.get_absolute_url()).content.decode()
    assert f"/customers/{customer.pk}/suppressions/add/" in page and "Add suppression" in page
    url = f"/customers/{customer.pk}/suppressions/add/"
    form = sales_client.get(url).content.decode()
    assert "Do not mail" in form and "Asked not to receive post." in form

    missing = sales_client.post(url, {"date": "2026-03-01"})
    assert "This field is required" in missing.content.decode()
    assert not Suppression.objects.exists()

    deceased = _type(workspace, "Deceased")
    response = sales_client.post(
        url, {"suppression_type": deceased.pk, "date": "2026-03-01", "note": "Told by son"}
    )
    # Back to the customer with the Suppressions tab open, showing what was just added.
    assert response.url == f"/customers/{customer.pk}/?tab=suppressions"
    suppression = customer.suppressions.get()
    assert (suppression.suppression_type, suppression.date, suppression.note) == (
        deceased,
        datetime.date(2026, 3, 1),
        "Told by son",
    )
    assert changes_for(customer).first().via == "page"
    # The type the customer has is no longer offered, and sent anyway it is refused.
    assert f'value="{deceased.pk}"' not in sales_client.get(url).content.decode()
    again = sales_client.post(url, {"suppression_type": deceased.pk, "date": "2026-03-02"})
    assert "Select a valid choice" in again.content.decode()
    assert customer.suppressions.count() == 1


def test_a_foreign_suppression_type_is_not_a_choice(sales_client, customer, other_workspace):
    foreign = _type(other_workspace, "Deceased")
    response = sales_client.post(
        f"/customers/{customer.pk}/suppressions/add/",
        {"suppression_type": foreign.pk, "date": "2026-03-01"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Suppression.objects.exists()


def test_suppressions_tab_lists_them_with_opt_out_and_bounce(
    sales_client, workspace, admin, customer
):
    services.suppression_add(
        customer=customer,
        suppression_type=_type(workspace, "Do not phone"),
        date=datetime.date(2026, 2, 3),
        note="Asked on the phone",
        actor=admin,
    )
    tab = sales_client.get(f"/customers/{customer.pk}/tabs/suppressions/").content.decode()
    assert "Do not phone" in tab and "3 Feb 2026" in tab and "Asked on the phone" in tab
    assert "opted out" not in tab.lower() and "bounced" not in tab

    customer.marketing_opt_out = True
    customer.email_invalid_since = timezone.make_aware(datetime.datetime(2026, 1, 5, 9))
    customer.save()
    tab = sales_client.get(f"/customers/{customer.pk}/tabs/suppressions/").content.decode()
    assert "Opted out of marketing" in tab and "gets no marketing email" in tab
    assert "ada@example.com bounced on 5 Jan 2026" in tab


def test_the_tab_says_when_a_suppression_is_not_yet_in_force(
    sales_client, workspace, admin, customer
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    services.suppression_add(
        customer=customer,
        suppression_type=_type(workspace, "Do not mail"),
        date=tomorrow,
        actor=admin,
    )
    services.suppression_add(
        customer=customer, suppression_type=_type(workspace, "Do not phone"), actor=admin
    )
    tab = sales_client.get(f"/customers/{customer.pk}/tabs/suppressions/").content.decode()
    rows = {row.split("</td>")[0]: row for row in tab.split("<tr><td>")[1:]}
    mail_row = next(row for name, row in rows.items() if "Do not mail" in name)
    phone_row = next(row for name, row in rows.items() if "Do not phone" in name)
    assert "not yet in force" in mail_row
    assert "not yet in force" not in phone_row


def test_delete_a_suppression_from_the_tab(sales_client, workspace, admin, customer):
    suppression = services.suppression_add(
        customer=customer, suppression_type=_type(workspace, "Gone away"), actor=admin
    )
    tab = sales_client.get(f"/customers/{customer.pk}/tabs/suppressions/").content.decode()
    url = f"/suppressions/{suppression.pk}/delete/"
    assert url in tab
    assert "Delete the suppression Gone away" in sales_client.get(url).content.decode()
    assert sales_client.post(url).status_code == 302
    assert not Suppression.objects.exists()
    assert changes_for(customer).first().fields[0]["field"] == "suppressions"


def test_traits_checkboxes_and_tab(sales_client, workspace, admin, customer):
    golfer, sailor = (
        services.trait_create(
            workspace=workspace, actor=admin, data={"name": name, "description": desc}
        )
        for name, desc in [("Golfer", "Plays golf"), ("Sailor", "")]
    )
    services.customer_traits_set(customer=customer, traits=[golfer], actor=admin)
    url = f"/customers/{customer.pk}/traits/"
    form = sales_client.get(url).content.decode()
    assert "Golfer — Plays golf" in form
    assert _ticked(form, golfer.pk)
    assert not _ticked(form, sailor.pk)

    assert sales_client.post(url, {"traits": [sailor.pk]}).status_code == 302
    assert [ct.trait for ct in customer.customer_traits.all()] == [sailor]
    assert changes_for(customer).first().fields[0] == {
        "field": "traits",
        "label": "Traits",
        "old": "Golfer",
        "new": "Sailor",
    }
    tab = sales_client.get(f"/customers/{customer.pk}/tabs/traits/").content.decode()
    assert "Sailor" in tab and "Golfer" not in tab

    assert sales_client.post(url, {}).status_code == 302  # nothing ticked: no traits
    assert not customer.customer_traits.exists()


def test_a_foreign_trait_cannot_be_ticked(sales_client, admin, customer, other_workspace):
    foreign = services.trait_create(workspace=other_workspace, actor=admin, data={"name": "Spy"})
    response = sales_client.post(f"/customers/{customer.pk}/traits/", {"traits": [foreign.pk]})
    assert "Select a valid choice" in response.content.decode()
    assert not customer.customer_traits.exists()


def test_customer_panel_counts_traits_and_suppressions(admin_client, workspace, admin, customer):
    services.suppression_add(
        customer=customer, suppression_type=_type(workspace, "Do not mail"), actor=admin
    )
    page = admin_client.get(customer.get_absolute_url()).content.decode()
    assert "<strong>1</strong> Suppressions" in page
    assert "<strong>0</strong> Traits" in page


def test_read_only_is_refused(client, member, workspace, admin, customer):
    suppression = services.suppression_add(
        customer=customer, suppression_type=_type(workspace, "Deceased"), actor=admin
    )
    trait = services.trait_create(workspace=workspace, actor=admin, data={"name": "Golfer"})
    client.force_login(member(Role.READ_ONLY).user)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "Add suppression" not in page and "Add/remove traits" not in page
    tab = client.get(f"/customers/{customer.pk}/tabs/suppressions/").content.decode()
    assert "Deceased" in tab and "/delete/" not in tab
    for url in [
        f"/customers/{customer.pk}/suppressions/add/",
        f"/customers/{customer.pk}/traits/",
        f"/suppressions/{suppression.pk}/delete/",
        "/setup/traits/",
        f"/setup/traits/{trait.pk}/delete/",
        "/setup/suppression-types/",
    ]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"traits": [trait.pk]}).status_code == 403, url
    assert Suppression.objects.filter(pk=suppression.pk).exists()
    assert not customer.customer_traits.exists()


def test_sales_may_not_define_traits(sales_client):
    assert sales_client.get("/setup/traits/").status_code == 403
    assert sales_client.post("/setup/traits/", {"name": "Golfer"}).status_code == 403
    assert not Trait.objects.exists()


def test_manager_defines_renames_and_deletes_a_trait(client, member, workspace, admin, customer):
    client.force_login(member(Role.MANAGER).user)
    home = client.get("/").content.decode()
    assert 'href="/setup/traits/">Set-up</a>' in home
    page = client.get("/setup/traits/").content.decode()
    assert "Suppression types" in page and "Members" not in page

    assert client.post("/setup/traits/", {"name": "", "description": "x"}).status_code == 200
    client.post("/setup/traits/", {"name": "Golfer", "description": "Plays golf"})
    duplicate = client.post("/setup/traits/", {"name": "golfer"}).content.decode()
    assert "A trait named Golfer already exists." in duplicate
    trait = Trait.objects.get(workspace=workspace)

    client.post(f"/setup/traits/{trait.pk}/", {"name": "Keen golfer", "description": ""})
    trait.refresh_from_db()
    assert trait.name == "Keen golfer"

    services.customer_traits_set(customer=customer, traits=[trait], actor=admin)
    confirm = client.get(f"/setup/traits/{trait.pk}/delete/").content.decode()
    assert "1 customer</strong> has this trait" in confirm
    assert client.post(f"/setup/traits/{trait.pk}/delete/").status_code == 302
    assert not Trait.objects.exists() and not customer.customer_traits.exists()


def test_suppression_type_set_up(admin_client, workspace, admin, customer):
    page = admin_client.get("/setup/suppression-types/").content.decode()
    assert "Deceased" in page and "All lists" in page
    assert "only the lists that name this type" in page  # the model's help text
    admin_client.post(
        "/setup/suppression-types/",
        {"name": "No cold calls", "description": "", "blocks": "phone"},
    )
    created = SuppressionType.objects.get(workspace=workspace, name="No cold calls")
    assert created.blocks == "phone"
    admin_client.post(
        f"/setup/suppression-types/{created.pk}/",
        {"name": "No cold calls", "description": "Asked", "blocks": ""},
    )
    created.refresh_from_db()
    assert (created.description, created.blocks) == ("Asked", "")

    services.suppression_add(customer=customer, suppression_type=created, actor=admin)
    url = f"/setup/suppression-types/{created.pk}/delete/"
    assert "1 customer</strong> has this suppression" in admin_client.get(url).content.decode()
    refused = admin_client.post(url, follow=True).content.decode()
    assert "1 customer(s) have the suppression No cold calls" in refused
    assert SuppressionType.objects.filter(pk=created.pk).exists()

    customer.suppressions.all().delete()
    admin_client.post(url)
    assert not SuppressionType.objects.filter(pk=created.pk).exists()
