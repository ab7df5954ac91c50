"""The merge pages and API: the form with its choices, a merge's page with Undo, the
customer pages, and POST /api/v1/merges/ with its undo."""

from django.urls import reverse

from patron.conftest import api_client_for
from patron.customers.models import Customer
from patron.duplicates.merge import merge_customers
from patron.duplicates.models import CustomerMerge, DuplicateCandidate
from patron.testing.factories import MembershipFactory, make_customer, make_note
from patron.workspaces.roles import Role


def _pair(workspace, admin):
    jane = make_customer(
        workspace, admin, first_name="Jane", last_name="Whitfield", email="jane@example.com"
    )
    janet = make_customer(workspace, admin, first_name="Janet", last_name="Whitfeild", city="Leeds")
    return jane, janet


def test_the_form_sets_them_side_by_side_and_merges_with_the_values_picked(
    admin_client, workspace, admin
):
    jane, janet = _pair(workspace, admin)
    pair = DuplicateCandidate.objects.create(
        workspace=workspace, customer_a=jane, customer_b=janet, score=0.9, reasons=["x"]
    )
    page = admin_client.get(reverse("duplicates:pair", args=[pair.pk])).content.decode()
    assert f"?customer={jane.pk},{janet.pk}" in page
    url = reverse("duplicates:merge_new")
    form = admin_client.get(f"{url}?customer={jane.pk},{janet.pk}").content.decode()
    assert f'name="choice_first_name" value="{janet.pk}"' in form
    assert "<mark>Whitfeild</mark>" in form  # the names differ: highlighted
    response = admin_client.post(
        url,
        {
            "customer": f"{jane.pk},{janet.pk}",
            "survivor": jane.pk,
            "choice_last_name": janet.pk,
            "choice_city": janet.pk,
            "merge": "1",
        },
    )
    assert response.status_code == 302 and response["Location"] == jane.get_absolute_url()
    jane.refresh_from_db()
    assert (jane.first_name, jane.last_name, jane.city) == ("Jane", "Whitfeild", "Leeds")
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.MERGED
    gone = admin_client.get(janet.get_absolute_url()).content.decode()
    assert "Merged into" in gone and jane.get_absolute_url() in gone


def test_a_refused_merge_says_why_and_changes_nothing(admin_client, workspace, admin):
    jane, _ = _pair(workspace, admin)
    acme = make_customer(workspace, admin, kind="organization")
    response = admin_client.post(
        reverse("duplicates:merge_new"),
        {"customer": f"{jane.pk},{acme.pk}", "survivor": jane.pk, "merge": "1"},
        follow=True,
    )
    assert "choose customers of one kind" in response.content.decode()
    assert not CustomerMerge.objects.exists()


def test_customers_ticked_in_the_list_go_to_the_form(admin_client, workspace, admin):
    jane, janet = _pair(workspace, admin)
    listing = admin_client.get(reverse("customers:list"), {"q": "whit"}).content.decode()
    assert 'id="merge-selection"' in listing
    assert f'name="customer" value="{janet.pk}" form="merge-selection"' in listing
    form = admin_client.get(reverse("duplicates:merge_new"), {"customer": [jane.pk, janet.pk]})
    assert "Merge 2 customers" in form.content.decode()


def test_customer_no_adds_a_customer_and_the_menu_link_starts_the_form(
    admin_client, workspace, admin
):
    jane, janet = _pair(workspace, admin)
    page = admin_client.get(jane.get_absolute_url()).content.decode()
    start = reverse("duplicates:merge_start", args=[jane.pk])
    assert start in page
    response = admin_client.get(start, follow=True)
    response = admin_client.get(
        reverse("duplicates:merge_new"), {"customer": jane.pk, "add": janet.number}
    )
    assert "Merge 2 customers" in response.content.decode()


def test_undo_from_the_merge_page(admin_client, workspace, admin):
    jane, janet = _pair(workspace, admin)
    note = make_note(janet, admin)
    merge = merge_customers(
        workspace=workspace, actor=admin, survivor=jane, others=[janet], choices={}
    )
    for tab in ("merges", "history"):
        page = admin_client.get(f"{jane.get_absolute_url()}tabs/{tab}/").content.decode()
        assert f'href="{merge.get_absolute_url()}"' in page, tab
    history = admin_client.get(f"{janet.get_absolute_url()}tabs/history/").content.decode()
    assert "<td>Merged into</td>" in history and jane.get_absolute_url() in history
    assert history.count("Merged<div") == 1 and "Deleted" not in history
    detail = admin_client.get(merge.get_absolute_url()).content.decode()
    assert "Notes: 1 moved from Janet Whitfeild" in detail
    assert "Undo this merge" in detail
    merges = admin_client.get(reverse("duplicates:merges")).content.decode()
    assert merge.get_absolute_url() in merges
    response = admin_client.post(reverse("duplicates:merge_undo", args=[merge.pk]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.customer == janet
    assert not Customer.objects.get(pk=janet.pk).is_deleted
    for customer in (jane, janet):
        history = admin_client.get(f"{customer.get_absolute_url()}tabs/history/").content.decode()
        assert history.count("Merge undone<div") == 1 and history.count("Merged<div") == 1
    again = admin_client.post(reverse("duplicates:merge_undo", args=[merge.pk]), follow=True)
    assert "already undone" in again.content.decode()


def test_only_those_who_may_merge_see_the_pages(client, workspace, admin):
    jane, _ = _pair(workspace, admin)
    sales = MembershipFactory(workspace=workspace, role=Role.SALES)
    client.force_login(sales.user)
    assert client.get(reverse("duplicates:merge_new")).status_code == 403
    assert client.get(reverse("duplicates:merges")).status_code == 403
    assert client.get(reverse("duplicates:merge_start", args=[jane.pk])).status_code == 403


def test_api_merges_lists_and_undoes(api, workspace, admin):
    jane, janet = _pair(workspace, admin)
    make_note(janet, admin)
    response = api.post(
        "/api/v1/merges/",
        {"survivor": jane.pk, "others": [janet.pk], "choices": {"last_name": janet.pk}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["others"] == [{"customer": janet.pk, "number": janet.number, "name": str(janet)}]
    assert (body["moved_count"], body["can_undo"]) == (1, None)
    assert Customer.objects.get(pk=jane.pk).last_name == "Whitfeild"
    assert api.get("/api/v1/merges/").json()["results"][0]["id"] == body["id"]
    undone = api.post(f"/api/v1/merges/{body['id']}/undo/")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    again = api.post(f"/api/v1/merges/{body['id']}/undo/")
    assert again.status_code == 409 and again.json()["code"] == "cannot_undo"


def test_api_refusals_are_400_with_the_reason(api, workspace, other_workspace, admin):
    jane, janet = _pair(workspace, admin)
    foreign = make_customer(other_workspace, None, last_name="Elsewhere")
    bad = [
        {"survivor": jane.pk, "others": [foreign.pk]},
        {"survivor": jane.pk, "others": [janet.pk], "choices": {"number": janet.pk}},
        {"survivor": jane.pk, "others": [jane.pk]},
    ]
    for body in bad:
        response = api.post("/api/v1/merges/", body, format="json")
        assert response.status_code == 400, body
    response = api.post(
        "/api/v1/merges/", {"survivor": jane.pk, "others": [janet.pk, foreign.pk]}, format="json"
    )
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("others", "does_not_exist")
    assert f"No customer {foreign.pk} in this workspace" in error["message"]
    assert not CustomerMerge.objects.exists()


def test_api_needs_the_merge_capability(workspace, admin):
    jane, janet = _pair(workspace, admin)
    sales = api_client_for(MembershipFactory(workspace=workspace, role=Role.SALES))
    response = sales.post(
        "/api/v1/merges/", {"survivor": jane.pk, "others": [janet.pk]}, format="json"
    )
    assert response.status_code == 403


def test_the_recycle_bin_says_whom_a_customer_was_merged_into(admin_client, workspace, admin):
    jane, janet = _pair(workspace, admin)
    merge_customers(workspace=workspace, actor=admin, survivor=jane, others=[janet], choices={})
    row = next(
        row
        for row in admin_client.get(reverse("customers:recycle_bin")).content.decode().split("<tr>")
        if "Janet Whitfeild" in row
    )
    assert f'Merged into <a href="{jane.get_absolute_url()}">Jane Whitfield</a>' in row
    assert "restoring it here keeps the merge" in row
