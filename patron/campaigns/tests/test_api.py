import datetime

import pytest

from patron.campaigns import services
from patron.campaigns.models import Activity, Campaign, Fulfilment, Status, Step
from patron.conftest import api_client_for
from patron.history.models import Change
from patron.history.services import changes_for
from patron.workspaces.roles import Role


def errors(response) -> dict[str | None, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_campaign_crud(api, workspace):
    created = api.post("/api/v1/campaigns/", {"name": "Spring"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    duplicate = api.post("/api/v1/campaigns/", {"name": "SPRING"}, format="json")
    assert duplicate.status_code == 400
    assert errors(duplicate) == {"name": "A campaign with this name already exists."}
    assert (
        api.patch(f"/api/v1/campaigns/{pk}/", {"name": "Spring 27"}, format="json").json()["name"]
        == "Spring 27"
    )
    assert [row["name"] for row in api.get("/api/v1/campaigns/").json()["results"]] == ["Spring 27"]
    assert api.delete(f"/api/v1/campaigns/{pk}/").status_code == 204
    assert not Campaign.objects.exists()


def test_activity_crud_filters_and_change_step(api, workspace):
    campaign = services.campaign_create(workspace=workspace, actor=None, data={"name": "Spring"})
    created = api.post(
        "/api/v1/activities/",
        {"name": "Mailing", "campaign": campaign.pk, "reference_code": "SPR27"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["number"], body["status"], body["step"], body["is_running"]) == (
        1,
        "active",
        "planned",
        False,
    )
    api.post("/api/v1/activities/", {"name": "Show", "status": "inactive"}, format="json")
    pk = body["id"]

    def names(**query):
        return [row["name"] for row in api.get("/api/v1/activities/", query).json()["results"]]

    assert names() == ["Show", "Mailing"]
    assert names(campaign=campaign.pk) == ["Mailing"]
    assert names(status="inactive") == ["Show"]
    assert names(reference_code="spr27") == ["Mailing"]
    assert names(step="started") == []

    renamed = api.patch(f"/api/v1/activities/{pk}/", {"name": "Mailing 2"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["step"] == "planned"
    api.patch(f"/api/v1/activities/{pk}/", {"name": "Mailing"}, format="json")
    changed = api.post(f"/api/v1/activities/{pk}/change-step/", {"step": "started"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["step"], changed.json()["is_running"]) == ("started", True)
    assert names(step="started") == ["Mailing"]
    assert changes_for(Activity.objects.get(pk=pk)).first().via == "api"
    bad = api.post(f"/api/v1/activities/{pk}/change-step/", {"step": "paused"}, format="json")
    assert bad.status_code == 400 and "step" in errors(bad)
    assert api.delete(f"/api/v1/activities/{pk}/").status_code == 204


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "name"),
        ({"name": "X", "status": "paused"}, "status"),
        ({"name": "X", "start_date": "2026-05-01", "end_date": "2026-04-01"}, "end_date"),
        ({"name": 5}, "name"),
    ],
)
def test_activity_validation(api, data, field):
    response = api.post("/api/v1/activities/", data, format="json")
    assert response.status_code == 400
    assert field in errors(response)
    assert not Activity.objects.exists()


def test_activity_delete_refused_while_fulfilled(api, fulfilment):
    response = api.delete(f"/api/v1/activities/{fulfilment.activity_id}/")
    assert response.status_code == 400
    assert "it has 1 fulfilment" in response.json()["errors"][0]["message"]
    assert Activity.objects.filter(pk=fulfilment.activity_id).exists()


def test_fulfilment_crud(api, customer, running_activity, make_activity):
    created = api.post(
        "/api/v1/fulfilments/",
        {
            "customer": customer.pk,
            "activity": running_activity.pk,
            "fulfilment_type": "Send brochure",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["date"] == datetime.date.today().isoformat()
    pk = created.json()["id"]
    other = make_activity(name="Other")
    api.post(
        "/api/v1/fulfilments/",
        {"customer": customer.pk, "activity": running_activity.pk, "fulfilment_type": "More"},
        format="json",
    )
    listed = api.get("/api/v1/fulfilments/", {"customer": customer.pk}).json()
    assert len(listed["results"]) == 2
    assert api.get("/api/v1/fulfilments/", {"activity": other.pk}).json()["results"] == []
    moved = api.patch(f"/api/v1/fulfilments/{pk}/", {"activity": other.pk}, format="json")
    assert moved.status_code == 400
    assert "is Active and Planned" in errors(moved)["activity"]
    kept = api.patch(
        f"/api/v1/fulfilments/{pk}/",
        {"date": "2026-04-01", "customer": 999999},  # the customer stays fixed
        format="json",
    )
    assert kept.status_code == 200
    assert (kept.json()["date"], kept.json()["customer"]) == ("2026-04-01", customer.pk)
    assert api.delete(f"/api/v1/fulfilments/{pk}/").status_code == 204
    assert Change.objects.filter(object_id=pk, action=Change.Action.DELETE, via="api").exists()


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (Status.INACTIVE, Step.STARTED),
        (Status.ACTIVE, Step.PLANNED),
        (Status.ACTIVE, Step.COMPLETED),
    ],
)
def test_fulfilment_refused_for_a_stopped_activity(api, customer, make_activity, status, step):
    activity = make_activity(status=status, step=step)
    response = api.post(
        "/api/v1/fulfilments/",
        {"customer": customer.pk, "activity": activity.pk, "fulfilment_type": "Send brochure"},
        format="json",
    )
    assert response.status_code == 400
    assert "only an Active activity at step Started" in errors(response)["activity"]
    assert not Fulfilment.objects.exists()


def test_fulfilment_validation(api, customer, running_activity):
    response = api.post(
        "/api/v1/fulfilments/",
        {"customer": customer.pk, "activity": running_activity.pk, "fulfilment_type": " "},
        format="json",
    )
    assert response.status_code == 400 and "fulfilment_type" in errors(response)
    response = api.post(
        "/api/v1/fulfilments/",
        {"customer": customer.pk, "activity": running_activity.pk, "date": "tomorrow"},
        format="json",
    )
    assert {"date", "fulfilment_type"} <= errors(response).keys()
    assert not Fulfilment.objects.exists()


def test_foreign_ids_are_refused(api, workspace, other_workspace, customer, make_activity):
    foreign_activity = make_activity(
        workspace_=other_workspace, status=Status.ACTIVE, step=Step.STARTED
    )
    foreign_campaign = services.campaign_create(
        workspace=other_workspace, actor=None, data={"name": "Theirs"}
    )
    response = api.post(
        "/api/v1/fulfilments/",
        {"customer": customer.pk, "activity": foreign_activity.pk, "fulfilment_type": "X"},
        format="json",
    )
    assert response.status_code == 400 and "activity" in errors(response)
    response = api.post(
        "/api/v1/activities/", {"name": "X", "campaign": foreign_campaign.pk}, format="json"
    )
    assert response.status_code == 400 and "campaign" in errors(response)
    assert api.get(f"/api/v1/activities/{foreign_activity.pk}/").status_code == 404
    assert api.get(f"/api/v1/campaigns/{foreign_campaign.pk}/").status_code == 404
    changed = api.post(
        f"/api/v1/activities/{foreign_activity.pk}/change-step/", {"step": "completed"}
    )
    assert changed.status_code == 404
    assert api.get("/api/v1/fulfilments/", {"activity": foreign_activity.pk}).status_code == 400
    foreign_activity.refresh_from_db()
    assert foreign_activity.step == Step.STARTED


def test_roles(member, customer, running_activity):
    read_only = api_client_for(member(Role.READ_ONLY))
    assert read_only.get("/api/v1/activities/").status_code == 200
    assert read_only.post("/api/v1/campaigns/", {"name": "X"}, format="json").status_code == 403
    assert (
        read_only.post(
            f"/api/v1/activities/{running_activity.pk}/change-step/", {"step": "completed"}
        ).status_code
        == 403
    )
    fulfil = {"customer": customer.pk, "activity": running_activity.pk, "fulfilment_type": "X"}
    assert read_only.post("/api/v1/fulfilments/", fulfil, format="json").status_code == 403
    sales = api_client_for(member(Role.SALES))
    assert sales.post("/api/v1/activities/", {"name": "X"}, format="json").status_code == 403
    assert sales.post("/api/v1/fulfilments/", fulfil, format="json").status_code == 201
