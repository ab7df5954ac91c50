import datetime

import pytest

from patron.campaigns import services
from patron.campaigns.models import Activity, Campaign, Fulfilment, Status, Step
from patron.lists.models import CustomerList, ListEntry
from patron.telemarketing.models import Response, Telemarket
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role


def login(client, member, role):
    client.force_login(member(role).user)
    return client


def test_campaign_pages(admin_client, workspace, make_activity):
    response = admin_client.post("/marketing/campaigns/new/", {"name": "Spring 2027"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    duplicate = admin_client.post("/marketing/campaigns/new/", {"name": "spring 2027"})
    assert "A campaign with this name already exists." in duplicate.content.decode()
    admin_client.post(f"/marketing/campaigns/{campaign.pk}/edit/", {"name": "Spring 27"})
    make_activity(campaign=Campaign.objects.get())
    listed = admin_client.get("/marketing/campaigns/").content.decode()
    assert "Spring 27" in listed
    confirm = admin_client.get(f"/marketing/campaigns/{campaign.pk}/delete/").content.decode()
    assert "Its 1 activity will stay, without a campaign" in confirm
    admin_client.post(f"/marketing/campaigns/{campaign.pk}/delete/")
    assert not Campaign.objects.exists()
    assert Activity.objects.get().campaign is None


def test_activity_create_edit_and_list_filters(admin_client, workspace, make_activity):
    campaign = services.campaign_create(workspace=workspace, actor=None, data={"name": "Spring"})
    response = admin_client.post(
        "/marketing/activities/new/",
        {
            "name": "Brochure mailing",
            "campaign": campaign.pk,
            "status": "active",
            "step": "planned",
            "start_date": "2026-03-01",
            "end_date": "2026-02-01",
            "reference_code": "SPR27",
        },
    )
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Activity.objects.exists()
    response = admin_client.post(
        "/marketing/activities/new/",
        {
            "name": "Brochure mailing",
            "campaign": campaign.pk,
            "status": "active",
            "step": "planned",
            "start_date": "2026-03-01",
            "reference_code": "SPR27",
        },
    )
    assert response.status_code == 302, response.content.decode()
    activity = Activity.objects.get()
    assert response.url == f"/marketing/activities/{activity.pk}/"
    assert (activity.number, activity.reference_code) == (1, "SPR27")
    edit = admin_client.get(f"/marketing/activities/{activity.pk}/edit/").content.decode()
    assert 'name="step"' not in edit  # the step moves with "Change step"
    make_activity(name="Trade show", status=Status.INACTIVE)
    page = admin_client.get("/marketing/activities/").content.decode()
    assert "Brochure mailing" in page and "Trade show" in page and "SPR27" in page
    by_status = admin_client.get("/marketing/activities/", {"status": "inactive"}).content.decode()
    assert "Trade show" in by_status and "Brochure mailing" not in by_status
    by_campaign = admin_client.get(
        "/marketing/activities/", {"campaign": campaign.pk}
    ).content.decode()
    assert "Brochure mailing" in by_campaign and "Trade show" not in by_campaign


def test_change_step_on_the_activity_page(admin_client, make_activity):
    activity = make_activity()
    page = admin_client.get(f"/marketing/activities/{activity.pk}/").content.decode()
    assert 'id="activity-actions"' in page and "Change step" in page
    response = admin_client.post(
        f"/marketing/activities/{activity.pk}/step/", {"step": "started"}, follow=True
    )
    assert "is now Started" in response.content.decode()
    activity.refresh_from_db()
    assert activity.step == Step.STARTED
    page = admin_client.get(f"/marketing/activities/{activity.pk}/").content.decode()
    assert "<td>Planned</td><td>Started</td>" in page  # its History
    admin_client.post(f"/marketing/activities/{activity.pk}/step/", {"step": "nonsense"})
    activity.refresh_from_db()
    assert activity.step == Step.STARTED


def test_activity_delete_refused_while_fulfilled(admin_client, fulfilment):
    activity = fulfilment.activity
    page = admin_client.get(f"/marketing/activities/{activity.pk}/delete/").content.decode()
    assert "cannot be deleted while it has 1 fulfilments" in page
    response = admin_client.post(f"/marketing/activities/{activity.pk}/delete/", follow=True)
    assert "it has 1 fulfilment." in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_create_fulfilment_offers_only_running_activities(
    admin_client, customer, make_activity, running_activity
):
    make_activity(name="Planned one")
    make_activity(name="Inactive one", status=Status.INACTIVE, step=Step.STARTED)
    make_activity(name="Completed one", step=Step.COMPLETED)
    url = f"/customers/{customer.pk}/fulfilments/new/"
    choose = admin_client.get(url).content.decode()
    assert "Spring mailing" in choose
    for name in ("Planned one", "Inactive one", "Completed one"):
        assert name not in choose
    form = admin_client.get(url, {"activity": running_activity.pk}).content.decode()
    assert f'value="{datetime.date.today():%Y-%m-%d}"' in form  # today by default
    assert '<datalist id="types">' in form and '<option value="Send brochure">' in form
    response = admin_client.post(
        f"{url}?activity={running_activity.pk}",
        {"date": "2026-04-01", "fulfilment_type": "More information"},
    )
    assert response.status_code == 302
    fulfilment = Fulfilment.objects.get()
    assert (fulfilment.customer, fulfilment.activity) == (customer, running_activity)
    assert fulfilment.date == datetime.date(2026, 4, 1)


def test_create_fulfilment_under_a_stopped_activity_is_refused(
    admin_client, customer, make_activity
):
    planned = make_activity(name="Autumn")
    url = f"/customers/{customer.pk}/fulfilments/new/?activity={planned.pk}"
    assert "Activity 1 Autumn is Active and Planned" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"date": "2026-04-01", "fulfilment_type": "X"})
    assert "Activity 1 Autumn is Active and Planned" in response.content.decode()
    assert not Fulfilment.objects.exists()


def test_no_running_activity_says_how_to_start_one(admin_client, customer, make_activity):
    make_activity()
    page = admin_client.get(f"/customers/{customer.pk}/fulfilments/new/").content.decode()
    assert "No activity is running" in page and "Change step" in page


def test_create_fulfilment_needs_a_type(admin_client, customer, running_activity):
    response = admin_client.post(
        f"/customers/{customer.pk}/fulfilments/new/?activity={running_activity.pk}",
        {"date": "2026-04-01", "fulfilment_type": ""},
    )
    assert "This field is required" in response.content.decode()
    assert not Fulfilment.objects.exists()


def test_fulfilments_tab_view_edit_delete(admin_client, customer, fulfilment, make_activity):
    services.activity_update(
        activity=fulfilment.activity, actor=None, data={"reference_code": "SPR27"}
    )
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/fulfilments/").content.decode()
    assert "Send brochure" in tab and "Spring mailing" in tab and "SPR27" in tab
    assert f"/fulfilments/{fulfilment.pk}/edit/" in tab
    detail = admin_client.get(f"/fulfilments/{fulfilment.pk}/").content.decode()
    assert "Send brochure" in detail and "<td>Type</td><td></td><td>Send brochure</td>" in detail
    edit = admin_client.get(f"/fulfilments/{fulfilment.pk}/edit/").content.decode()
    planned = make_activity(name="Not started yet")
    assert "Not started yet" not in edit  # only running activities, and its own
    refused = admin_client.post(
        f"/fulfilments/{fulfilment.pk}/edit/",
        {"activity": planned.pk, "date": "2026-04-02", "fulfilment_type": "X"},
    )
    assert "Select a valid choice" in refused.content.decode()
    admin_client.post(
        f"/fulfilments/{fulfilment.pk}/edit/",
        {
            "activity": fulfilment.activity_id,
            "date": "2026-04-02",
            "fulfilment_type": "More information",
        },
    )
    fulfilment.refresh_from_db()
    assert fulfilment.fulfilment_type == "More information"
    admin_client.post(f"/fulfilments/{fulfilment.pk}/delete/")
    assert not Fulfilment.objects.exists()


def test_customer_page_has_tabs_and_link(admin_client, customer, fulfilment):
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Create fulfilment" in page
    assert "/tabs/fulfilments/" in page and "/tabs/activities/" in page


def test_activities_tab_gathers_fulfilled_telemarketed_and_listed(
    admin_client, workspace, customer, fulfilment, make_activity
):
    by_phone = make_activity(name="Phone round")
    by_list = make_activity(name="List mailing")
    make_activity(name="Not this customer's")
    telemarket = Telemarket.objects.create(workspace=workspace, name="Survey", activity=by_phone)
    Response.objects.create(workspace=workspace, telemarket=telemarket, customer=customer)
    customer_list = CustomerList.objects.create(workspace=workspace, name="Spring list")
    customer_list.activities.add(by_list, fulfilment.activity)
    ListEntry.objects.create(customer_list=customer_list, customer=customer, via="hand")
    # The same customer fulfilled twice under one activity: it is listed once.
    services.fulfilment_create(
        customer=customer, activity=fulfilment.activity, fulfilment_type="Call back", actor=None
    )
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/activities/").content.decode()
    assert tab.count("Spring mailing") == 1
    assert "Phone round" in tab and "List mailing" in tab
    assert "Not this customer" not in tab
    someone = make_customer(workspace, None, last_name="Else")
    empty = admin_client.get(f"/customers/{someone.pk}/tabs/activities/").content.decode()
    assert "No activities" in empty


@pytest.mark.parametrize(
    "url",
    [
        "/marketing/campaigns/new/",
        "/marketing/activities/new/",
        "/marketing/activities/{activity}/edit/",
        "/marketing/activities/{activity}/delete/",
        "/customers/{customer}/fulfilments/new/",
        "/fulfilments/{fulfilment}/edit/",
        "/fulfilments/{fulfilment}/delete/",
    ],
)
def test_read_only_is_refused(client, member, customer, fulfilment, url):
    login(client, member, Role.READ_ONLY)
    url = url.format(
        activity=fulfilment.activity_id, customer=customer.pk, fulfilment=fulfilment.pk
    )
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "X", "fulfilment_type": "X"}).status_code == 403
    assert Fulfilment.objects.filter(pk=fulfilment.pk).exists()


def test_read_only_reads(client, member, customer, fulfilment):
    login(client, member, Role.READ_ONLY)
    activity = fulfilment.activity
    assert (
        client.post(f"/marketing/activities/{activity.pk}/step/", {"step": "completed"}).status_code
        == 403
    )
    page = client.get(f"/marketing/activities/{activity.pk}/").content.decode()
    assert "Ada Lovelace" in page and "Change step" not in page
    assert "Spring mailing" in client.get("/marketing/activities/").content.decode()
    tab = client.get(f"/customers/{customer.pk}/tabs/fulfilments/").content.decode()
    assert "Send brochure" in tab and "/edit/" not in tab


def test_sales_may_fulfil_but_not_manage(client, member, customer, running_activity):
    login(client, member, Role.SALES)
    assert client.get("/marketing/activities/new/").status_code == 403
    assert client.get(f"/marketing/activities/{running_activity.pk}/edit/").status_code == 403
    response = client.post(
        f"/customers/{customer.pk}/fulfilments/new/?activity={running_activity.pk}",
        {"date": "2026-04-01", "fulfilment_type": "Send brochure"},
    )
    assert response.status_code == 302
    assert Fulfilment.objects.filter(customer=customer).exists()


def test_foreign_activity_in_the_query_answers_404(
    admin_client, customer, other_workspace, make_activity
):
    foreign = make_activity(workspace_=other_workspace, status=Status.ACTIVE, step=Step.STARTED)
    url = f"/customers/{customer.pk}/fulfilments/new/?activity={foreign.pk}"
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, {"fulfilment_type": "X"}).status_code == 404
    assert not Fulfilment.objects.exists()
