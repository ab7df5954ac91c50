"""Marketing pages: campaigns and activities of the workspace, and fulfilments on a customer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from patron.campaigns import services
from patron.campaigns.filters import ActivityFilter
from patron.campaigns.forms import ActivityForm, CampaignForm, ChangeStepForm, FulfilmentForm
from patron.campaigns.models import Activity, Campaign, Fulfilment
from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.core.service_views import ServiceCreateView, ServiceDeleteView, ServiceUpdateView
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.workspaces.permissions import requires

PAGE_SIZE = 50


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


class CampaignCreate(ServiceCreateView):
    capability = "marketing.manage"
    form_class = CampaignForm
    template_name = "campaigns/campaign_form.html"
    success_url = reverse_lazy("campaigns:campaign_list")
    success_message = "Created the campaign {object}."

    def save(self, data):
        return services.campaign_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )


class CampaignEdit(ServiceUpdateView):
    capability = "marketing.manage"
    model = Campaign
    form_class = CampaignForm
    context_object_name = "campaign"
    template_name = "campaigns/campaign_form.html"
    success_url = reverse_lazy("campaigns:campaign_list")
    success_message = "Saved the campaign."

    def save(self, data):
        return services.campaign_update(campaign=self.object, actor=self.request.user, data=data)


class CampaignDelete(ServiceDeleteView):
    """Says how many activities the campaign has; they stay, without a campaign."""

    capability = "marketing.manage"
    model = Campaign
    context_object_name = "campaign"
    template_name = "campaigns/campaign_delete.html"
    success_url = reverse_lazy("campaigns:campaign_list")
    success_message = "Deleted the campaign {object}; {left} of its activities now have none."

    def delete_object(self):
        return services.campaign_delete(campaign=self.object, actor=self.request.user)

    def get_success_message(self, cleaned_data: dict) -> str:
        return super().get_success_message({"left": self.deleted})

    def get_context_data(self, **kwargs):
        activity_count = self.object.activities.count()
        return super().get_context_data(activity_count=activity_count, **kwargs)


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


class ActivityCreate(ServiceCreateView):
    capability = "marketing.manage"
    form_class = ActivityForm
    template_name = "campaigns/activity_form.html"
    success_message = "Created activity {object}."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "workspace": self.request.workspace}

    def save(self, data):
        return services.activity_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )

    def get_success_url(self) -> str:
        return reverse("campaigns:activity_detail", args=[self.object.pk])


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


class ActivityEdit(ServiceUpdateView):
    capability = "marketing.manage"
    queryset = Activity.objects.select_related("campaign")
    form_class = ActivityForm
    context_object_name = "activity"
    template_name = "campaigns/activity_form.html"
    success_message = "Saved the activity."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "workspace": self.request.workspace}

    def save(self, data):
        return services.activity_update(activity=self.object, actor=self.request.user, data=data)

    def get_success_url(self) -> str:
        return reverse("campaigns:activity_detail", args=[self.object.pk])


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


class ActivityDelete(ServiceDeleteView):
    """Lists what the activity still has; the service refuses while it has any."""

    capability = "marketing.manage"
    queryset = Activity.objects.select_related("campaign")
    context_object_name = "activity"
    template_name = "campaigns/activity_delete.html"
    success_url = reverse_lazy("campaigns:activity_list")
    success_message = "Deleted activity {object}."

    def delete_object(self):
        services.activity_delete(activity=self.object, actor=self.request.user)

    def get_refused_url(self) -> str:
        return reverse("campaigns:activity_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        uses = services.activity_uses(self.object).items()
        return super().get_context_data(
            uses={noun: count for noun, count in uses if count}, **kwargs
        )


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
