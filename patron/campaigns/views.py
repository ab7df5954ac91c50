"""Marketing pages: campaigns and activities of the workspace, and fulfilments on a customer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patron.campaigns import services
from patron.campaigns.filters import ActivityFilter
from patron.campaigns.forms import ActivityForm, CampaignForm, ChangeStepForm, FulfilmentForm
from patron.campaigns.models import Activity, Campaign, Fulfilment
from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.workspaces.permissions import requires

PAGE_SIZE = 50


def _campaign(request, pk: int, **kwargs) -> Campaign:
    return get_in_workspace(Campaign, request.workspace, pk=pk)


def _activity(request, pk: int, **kwargs) -> Activity:
    return get_in_workspace(Activity.objects.select_related("campaign"), request.workspace, pk=pk)


def _fulfilment(request, pk: int, **kwargs) -> Fulfilment:
    return get_in_workspace(
        Fulfilment.objects.select_related("customer", "activity"), request.workspace, pk=pk
    )


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


# Campaigns


@requires("customers.view")
def campaign_list(request):
    campaigns = Campaign.objects.in_workspace(request.workspace).annotate(
        activity_count=Count("activities")
    )
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


@requires("marketing.manage")
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                workspace=request.workspace, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Created the campaign {campaign}.")
            return redirect("campaigns:campaign_list")
    return render(request, "campaigns/campaign_form.html", {"form": form})


@requires("marketing.manage", owner=_campaign)
def campaign_edit(request, pk: int):
    campaign = _campaign(request, pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Saved the campaign.")
            return redirect("campaigns:campaign_list")
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@requires("marketing.manage", owner=_campaign)
def campaign_delete(request, pk: int):
    campaign = _campaign(request, pk)
    if request.method != "POST":
        return render(
            request,
            "campaigns/campaign_delete.html",
            {"campaign": campaign, "activity_count": campaign.activities.count()},
        )
    left = services.campaign_delete(campaign=campaign, actor=request.user)
    messages.success(
        request, f"Deleted the campaign {campaign}; {left} of its activities now have none."
    )
    return redirect("campaigns:campaign_list")


# Activities


@requires("customers.view")
def activity_list(request):
    activities = Activity.objects.in_workspace(request.workspace).select_related("campaign")
    found = ActivityFilter(request.GET or None, activities, request=request)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/activity_list.html",
        {"filter": found, "page": page, "query": query.urlencode()},
    )


@requires("marketing.manage")
def activity_create(request):
    form = ActivityForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                workspace=request.workspace, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Created activity {activity}.")
            return redirect("campaigns:activity_detail", pk=activity.pk)
    return render(request, "campaigns/activity_form.html", {"form": form})


@requires("customers.view", owner=_activity)
def activity_detail(request, pk: int):
    activity = _activity(request, pk)
    fulfilments = activity.fulfilments.select_related("customer")
    page = Paginator(fulfilments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/activity_detail.html",
        {
            "activity": activity,
            "page": page,
            "step_form": ChangeStepForm(initial={"step": activity.step}),
            "changes": changes_for(activity)[:200],
        },
    )


@requires("marketing.manage", owner=_activity)
def activity_edit(request, pk: int):
    activity = _activity(request, pk)
    form = ActivityForm(request.POST or None, instance=activity, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Saved the activity.")
            return redirect("campaigns:activity_detail", pk=activity.pk)
    return render(request, "campaigns/activity_form.html", {"form": form, "activity": activity})


@require_POST
@requires("marketing.manage", owner=_activity)
def activity_change_step(request, pk: int):
    activity = _activity(request, pk)
    form = ChangeStepForm(request.POST)
    if form.is_valid():
        try:
            activity = services.activity_change_step(
                activity=activity, step=form.cleaned_data["step"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Activity {activity} is now {activity.get_step_display()}.")
    else:
        messages.error(request, "Choose a step: Planned, Started or Completed.")
    return redirect("campaigns:activity_detail", pk=activity.pk)


@requires("marketing.manage", owner=_activity)
def activity_delete(request, pk: int):
    activity = _activity(request, pk)
    uses = {noun: count for noun, count in services.activity_uses(activity).items() if count}
    if request.method == "POST":
        try:
            services.activity_delete(activity=activity, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("campaigns:activity_detail", pk=activity.pk)
        messages.success(request, f"Deleted activity {activity}.")
        return redirect("campaigns:activity_list")
    return render(request, "campaigns/activity_delete.html", {"activity": activity, "uses": uses})


# Fulfilments on a customer


@requires("marketing.change", owner=_customer)
def fulfilment_create(request, pk: int):
    """Create a Fulfilment (manual 000): choose among the running activities, then fill in
    the date and type. `?activity=<id>` is the chosen one."""
    customer = _customer(request, pk)
    chosen = request.GET.get("activity") or request.POST.get("activity")
    if not chosen:
        running = Activity.objects.in_workspace(request.workspace).running()
        return render(
            request,
            "campaigns/fulfilment_choose.html",
            {"customer": customer, "activities": running.select_related("campaign")},
        )
    activity = get_in_workspace(Activity, request.workspace, pk=chosen)
    form = FulfilmentForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.fulfilment_create(
                customer=customer,
                activity=activity,
                date=form.cleaned_data["date"],
                fulfilment_type=form.cleaned_data["fulfilment_type"],
                actor=request.user,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Recorded the fulfilment of {activity} for {customer}.")
            return redirect(with_tab_open(customer, "fulfilments"))
    stopped = None
    if request.method != "POST" and not activity.is_running:  # a stale link or bookmark
        stopped = (
            f"Activity {activity} is {activity.get_status_display()} and "
            f"{activity.get_step_display()}: choose one that is Active and Started."
        )
    return render(
        request,
        "campaigns/fulfilment_form.html",
        {"form": form, "customer": customer, "activity": activity, "stopped": stopped},
    )


@requires("customers.view", owner=_fulfilment)
def fulfilment_detail(request, pk: int):
    fulfilment = _fulfilment(request, pk)
    if fulfilment.customer.is_deleted:
        raise Http404("No fulfilment matches.")
    return render(
        request,
        "campaigns/fulfilment_detail.html",
        {"fulfilment": fulfilment, "changes": changes_for(fulfilment)[:200]},
    )


@requires("marketing.change", owner=_fulfilment)
def fulfilment_edit(request, pk: int):
    fulfilment = _fulfilment(request, pk)
    form = FulfilmentForm(request.POST or None, instance=fulfilment, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.fulfilment_update(
                fulfilment=fulfilment, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Saved the fulfilment.")
            return redirect("campaigns:fulfilment_detail", pk=fulfilment.pk)
    return render(
        request,
        "campaigns/fulfilment_form.html",
        {"form": form, "customer": fulfilment.customer, "fulfilment": fulfilment},
    )


@requires("marketing.change", owner=_fulfilment)
def fulfilment_delete(request, pk: int):
    fulfilment = _fulfilment(request, pk)
    if request.method != "POST":
        return render(request, "campaigns/fulfilment_delete.html", {"fulfilment": fulfilment})
    services.fulfilment_delete(fulfilment=fulfilment, actor=request.user)
    messages.success(request, f"Deleted the fulfilment {fulfilment.fulfilment_type}.")
    return redirect(with_tab_open(fulfilment.customer, "fulfilments"))
