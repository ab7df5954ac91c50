import datetime

import pytest
from django.core.exceptions import ValidationError

from patron.campaigns import services
from patron.campaigns.models import Activity, Campaign, Fulfilment, Status, Step
from patron.history.models import Change
from patron.history.services import changes_for
from patron.testing.factories import make_customer


def make_activity(workspace, actor, **data) -> Activity:
    return services.activity_create(
        workspace=workspace, actor=actor, data={"name": "Spring mailing", **data}
    )


def running(workspace, actor, **data) -> Activity:
    return make_activity(workspace, actor, status=Status.ACTIVE, step=Step.STARTED, **data)


def test_activity_numbers_run_per_workspace(workspace, other_workspace, admin):
    numbers = [make_activity(workspace, admin, name=f"A{i}").number for i in range(3)]
    assert numbers == [1, 2, 3]
    assert make_activity(other_workspace, None).number == 1


def test_failed_activity_create_keeps_the_number_free(workspace, admin):
    with pytest.raises(ValidationError) as error:
        make_activity(
            workspace,
            admin,
            start_date=datetime.date(2026, 5, 1),
            end_date=datetime.date(2026, 4, 1),
        )
    assert "end_date" in error.value.message_dict
    assert not Activity.objects.exists()
    assert make_activity(workspace, admin).number == 1


def test_activity_refuses_a_foreign_campaign(workspace, other_workspace, admin):
    foreign = services.campaign_create(workspace=other_workspace, actor=None, data={"name": "X"})
    with pytest.raises(ValidationError) as error:
        make_activity(workspace, admin, campaign=foreign)
    assert "campaign" in error.value.message_dict


def test_duplicate_reference_code_is_refused(workspace, admin):
    make_activity(workspace, admin, reference_code="SPRING27")
    with pytest.raises(ValidationError) as error:
        make_activity(workspace, admin, name="Other", reference_code="spring27")
    assert error.value.message_dict == {
        "reference_code": ["Another activity already has this reference code."]
    }
    # Its own code is no clash when it is saved again.
    first = Activity.objects.get(reference_code="SPRING27")
    services.activity_update(activity=first, actor=admin, data={"name": "Renamed"})


def test_change_step_any_way_with_history(workspace, admin):
    activity = make_activity(workspace, admin)
    assert activity.step == Step.PLANNED
    services.activity_change_step(activity=activity, step=Step.COMPLETED, actor=admin)
    activity = services.activity_change_step(activity=activity, step=Step.STARTED, actor=admin)
    assert activity.step == Step.STARTED
    last = changes_for(activity).first()
    assert last.actor == admin
    assert last.fields == [{"field": "step", "label": "Step", "old": "Completed", "new": "Started"}]
    with pytest.raises(ValidationError) as error:
        services.activity_change_step(activity=activity, step="paused", actor=admin)
    assert "step" in error.value.message_dict


def test_fulfilment_create_for_a_running_activity(workspace, admin, customer):
    activity = running(workspace, admin)
    fulfilment = services.fulfilment_create(
        customer=customer,
        activity=activity,
        date=None,
        fulfilment_type=" Send brochure ",
        actor=admin,
    )
    assert fulfilment.fulfilment_type == "Send brochure"
    assert fulfilment.date == datetime.date.today()
    assert fulfilment.created_by == admin
    change = changes_for(fulfilment).get()
    assert change.action == Change.Action.CREATE
    assert {row["field"]: row["new"] for row in change.fields}["activity"] == str(activity)


@pytest.mark.parametrize(
    ("status", "step", "words"),
    [
        (Status.INACTIVE, Step.STARTED, "is Inactive and Started"),
        (Status.ACTIVE, Step.PLANNED, "is Active and Planned"),
        (Status.ACTIVE, Step.COMPLETED, "is Active and Completed"),
    ],
)
def test_fulfilment_refused_unless_running(workspace, admin, customer, status, step, words):
    activity = make_activity(workspace, admin, status=status, step=step)
    with pytest.raises(ValidationError) as error:
        services.fulfilment_create(
            customer=customer, activity=activity, fulfilment_type="Send brochure", actor=admin
        )
    assert words in error.value.message_dict["activity"][0]
    assert not Fulfilment.objects.exists()


def test_fulfilment_refuses_blank_type_and_foreign_activity(
    workspace, other_workspace, admin, customer
):
    with pytest.raises(ValidationError) as error:
        services.fulfilment_create(
            customer=customer, activity=running(workspace, admin), fulfilment_type="  ", actor=admin
        )
    assert "fulfilment_type" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.fulfilment_create(
            customer=customer,
            activity=running(other_workspace, None),
            fulfilment_type="Send brochure",
            actor=admin,
        )
    assert "activity" in error.value.message_dict
    assert not Fulfilment.objects.exists()


def test_fulfilment_update_keeps_a_stopped_activity_but_moves_only_to_running(
    workspace, admin, customer
):
    activity = running(workspace, admin)
    fulfilment = services.fulfilment_create(
        customer=customer, activity=activity, fulfilment_type="Send brochure", actor=admin
    )
    services.activity_change_step(activity=activity, step=Step.COMPLETED, actor=admin)
    fulfilment = services.fulfilment_update(
        fulfilment=fulfilment,
        actor=admin,
        data={"activity": activity, "fulfilment_type": "More information"},
    )
    assert fulfilment.fulfilment_type == "More information"
    planned = make_activity(workspace, admin, name="Autumn")
    with pytest.raises(ValidationError) as error:
        services.fulfilment_update(fulfilment=fulfilment, actor=admin, data={"activity": planned})
    assert "is Active and Planned" in error.value.message_dict["activity"][0]
    other = running(workspace, admin, name="Summer")
    fulfilment = services.fulfilment_update(
        fulfilment=fulfilment, actor=admin, data={"activity": other}
    )
    assert fulfilment.activity == other
    services.fulfilment_delete(fulfilment=fulfilment, actor=admin)
    assert not Fulfilment.objects.exists()
    assert changes_for(fulfilment).first().action == Change.Action.DELETE


def test_activity_delete_refused_while_fulfilled(workspace, admin, customer):
    activity = running(workspace, admin)
    for _ in range(2):
        services.fulfilment_create(
            customer=customer, activity=activity, fulfilment_type="Send brochure", actor=admin
        )
    with pytest.raises(ValidationError) as error:
        services.activity_delete(activity=activity, actor=admin)
    assert "it has 2 fulfilments" in error.value.messages[0]
    assert Activity.objects.filter(pk=activity.pk).exists()
    for fulfilment in Fulfilment.objects.all():
        services.fulfilment_delete(fulfilment=fulfilment, actor=admin)
    services.activity_delete(activity=activity, actor=admin)
    assert not Activity.objects.exists()
    assert changes_for(activity).first().action == Change.Action.DELETE


def test_campaign_delete_leaves_activities_without_one(workspace, admin):
    campaign = services.campaign_create(workspace=workspace, actor=admin, data={"name": "Spring"})
    activity = make_activity(workspace, admin, campaign=campaign)
    services.campaign_update(campaign=campaign, actor=admin, data={"name": "Spring 2027"})
    assert changes_for(campaign).first().fields[0]["new"] == "Spring 2027"
    assert services.campaign_delete(campaign=campaign, actor=admin) == 1
    activity.refresh_from_db()
    assert activity.campaign is None
    assert changes_for(activity).first().fields == [
        {"field": "campaign", "label": "Campaign", "old": "Spring 2027", "new": ""}
    ]
    assert not Campaign.objects.exists()


def test_campaign_names_are_unique_per_workspace(workspace, other_workspace, admin):
    services.campaign_create(workspace=workspace, actor=admin, data={"name": "Spring"})
    services.campaign_create(workspace=other_workspace, actor=None, data={"name": "Spring"})
    with pytest.raises(ValidationError) as error:
        services.campaign_create(workspace=workspace, actor=admin, data={"name": "SPRING"})
    assert "A campaign with this name already exists." in str(error.value)


def test_deleted_customer_cannot_be_fulfilled(workspace, admin):
    gone = make_customer(workspace, admin, first_name="Old", last_name="Gone")
    gone.deleted_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as error:
        services.fulfilment_create(
            customer=gone, activity=running(workspace, admin), fulfilment_type="X", actor=admin
        )
    assert "customer" in error.value.message_dict
