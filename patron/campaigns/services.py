"""Writes to campaigns, activities and fulfilments, each recorded in History.

A fulfilment can only be made under a running activity (Active and Started, manual 000);
an activity stays while anything still refers to it.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patron.campaigns.models import Activity, Campaign, Fulfilment, Step
from patron.core.models import next_number
from patron.history.models import Change
from patron.history.services import (
    create_with_history,
    differences,
    record_change,
    snapshot,
    update_with_history,
)

CAMPAIGN_FIELDS = ["name", "description"]
ACTIVITY_FIELDS = [
    "name",
    "campaign",
    "status",
    "step",
    "start_date",
    "end_date",
    "reference_code",
    "description",
]
FULFILMENT_FIELDS = ["activity", "date", "fulfilment_type"]


# Campaigns


@transaction.atomic
def campaign_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Campaign:
    campaign = Campaign(workspace=workspace, **data)
    return create_with_history(instance=campaign, actor=actor, fields=CAMPAIGN_FIELDS, via=via)


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor, data: dict[str, Any], via: str = "page"):
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    return update_with_history(
        instance=campaign, actor=actor, data=data, fields=CAMPAIGN_FIELDS, via=via
    )


@transaction.atomic
def campaign_delete(*, campaign: Campaign, actor, via: str = "page") -> int:
    """Delete the campaign; its activities stay, without a campaign (each change recorded).
    Returns how many activities were left without one."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    activities = list(Activity.objects.select_for_update().filter(campaign=campaign))
    for activity in activities:
        record_change(
            instance=activity,
            action=Change.Action.UPDATE,
            actor=actor,
            fields=[{"field": "campaign", "label": "Campaign", "old": campaign.name, "new": ""}],
            via=via,
            reason="Its campaign was deleted.",
        )
    record_change(instance=campaign, action=Change.Action.DELETE, actor=actor, via=via)
    campaign.delete()  # SET_NULL on the activities
    return len(activities)


# Activities


@transaction.atomic
def activity_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Activity:
    """A new activity numbered from the workspace's own sequence (1, 2, 3...). A failed
    validation rolls the number back with the rest."""
    activity = Activity(workspace=workspace, number=next_number(workspace, "activity"), **data)
    return create_with_history(
        instance=activity, actor=actor, fields=["number", *ACTIVITY_FIELDS], via=via
    )


@transaction.atomic
def activity_update(*, activity: Activity, actor, data: dict[str, Any], via: str = "page"):
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    return update_with_history(
        instance=activity, actor=actor, data=data, fields=ACTIVITY_FIELDS, via=via
    )


@transaction.atomic
def activity_change_step(*, activity: Activity, step: str, actor, via: str = "page") -> Activity:
    """Move the activity to any step (Planned, Started, Completed); only a Started (and
    Active) activity can be fulfilled."""
    if step not in Step.values:
        labels = ", ".join(Step.labels)
        raise ValidationError({"step": f"Choose one of the steps: {labels}."})
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.step == step:
        return activity
    before = snapshot(activity, ["step"])
    activity.step = step
    activity.full_clean()
    activity.save(update_fields=["step", "updated_at"])
    record_change(
        instance=activity,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=differences(before, snapshot(activity, ["step"])),
        via=via,
        reason="Changed step.",
    )
    return activity


def activity_uses(activity: Activity) -> dict[str, int]:
    """What still refers to the activity, as {"fulfilments": n, "telemarkets": n, ...}."""
    return {
        "fulfilments": activity.fulfilments.count(),
        "telemarkets": activity.telemarkets.count(),
        "customer lists": activity.customer_lists.count(),
    }


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun if count != 1 else noun.removesuffix('s')}"


@transaction.atomic
def activity_delete(*, activity: Activity, actor, via: str = "page") -> None:
    """Delete an activity nothing refers to. One with fulfilments, telemarkets or customer
    lists is refused: those records would lose what they were done under."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    uses = {noun: count for noun, count in activity_uses(activity).items() if count}
    if uses:
        listed = ", ".join(_counted(count, noun) for noun, count in uses.items())
        raise ValidationError(
            f"Activity {activity} cannot be deleted: it has {listed}. Remove those first, "
            "or make the activity Inactive to stop its use."
        )
    record_change(instance=activity, action=Change.Action.DELETE, actor=actor, via=via)
    activity.delete()


# Fulfilments


def _require_running(activity: Activity) -> None:
    if not activity.is_running:
        raise ValidationError(
            {
                "activity": f"Activity {activity} is {activity.get_status_display()} and "
                f"{activity.get_step_display()}: only an Active activity at step Started "
                "can be fulfilled. Change its step to Started (and make it Active) first."
            }
        )


@transaction.atomic
def fulfilment_create(
    *,
    customer,
    activity: Activity,
    date: datetime.date | None = None,
    fulfilment_type: str,
    actor,
    via: str = "page",
) -> Fulfilment:
    """Record that `fulfilment_type` was done for `customer` under a running `activity` on
    `date` (today if not given)."""
    if activity.workspace_id != customer.workspace_id:
        raise ValidationError({"activity": "Choose an activity of this workspace."})
    if customer.is_deleted:
        raise ValidationError({"customer": f"Customer {customer} is deleted."})
    # Locked so that a step changed at the same moment cannot slip a fulfilment through.
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_running(activity)
    fulfilment = Fulfilment(
        workspace=customer.workspace,
        customer=customer,
        activity=activity,
        date=date or timezone.localdate(),
        fulfilment_type=fulfilment_type,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return create_with_history(instance=fulfilment, actor=actor, fields=FULFILMENT_FIELDS, via=via)


@transaction.atomic
def fulfilment_update(
    *, fulfilment: Fulfilment, actor, data: dict[str, Any], via: str = "page"
) -> Fulfilment:
    """Change the date, type or activity. A fulfilment may keep an activity that has since
    stopped running, but may only move to one that is running."""
    fulfilment = Fulfilment.objects.select_for_update().get(pk=fulfilment.pk)
    activity = data.get("activity")
    if activity is not None and activity.pk != fulfilment.activity_id:
        if activity.workspace_id != fulfilment.workspace_id:
            raise ValidationError({"activity": "Choose an activity of this workspace."})
        _require_running(Activity.objects.select_for_update().get(pk=activity.pk))
    return update_with_history(
        instance=fulfilment, actor=actor, data=data, fields=FULFILMENT_FIELDS, via=via
    )


@transaction.atomic
def fulfilment_delete(*, fulfilment: Fulfilment, actor, via: str = "page") -> None:
    fulfilment = Fulfilment.objects.select_for_update().get(pk=fulfilment.pk)
    record_change(instance=fulfilment, action=Change.Action.DELETE, actor=actor, via=via)
    fulfilment.delete()
