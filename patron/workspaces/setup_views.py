"""Workspace set-up for admins: members and their roles, stores, categories and tags."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers import services as customer_services
from patron.customers.models import Category, Tag
from patron.workspaces import services
from patron.workspaces.models import Membership, Store
from patron.workspaces.permissions import requires
from patron.workspaces.roles import Role


class MemberForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(required=False, max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.SALES)
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput,
        help_text="Only for someone new to Patron; existing users keep their password.",
    )


class NameForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(max_length=255, required=False)


@requires("workspace.manage")
def members(request):
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.member_add(
                workspace=request.workspace,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                password=form.cleaned_data["password"] or None,
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
            return redirect("setup_members")
    rows = Membership.objects.filter(workspace=request.workspace).select_related("user")
    return render(
        request,
        "workspaces/members.html",
        {"form": form, "memberships": rows.order_by("user__email"), "roles": Role.choices},
    )


@require_POST
@requires(
    "workspace.manage",
    owner=lambda request, pk: get_in_workspace(Membership, request.workspace, pk=pk),
)
def member_change(request, pk: int):
    membership = get_in_workspace(Membership, request.workspace, pk=pk)
    try:
        if request.POST.get("remove"):
            services.member_remove(membership=membership)
            messages.success(request, f"Removed {membership.user} from {request.workspace}.")
        else:
            services.member_set_role(membership=membership, role=request.POST.get("role", ""))
            messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("setup_members")


# Stores, categories and tags share one page shape: a list, an add form, delete buttons.
LABELS = {
    "stores": (Store, "Stores", "Branches of the business; customers belong to all by default."),
    "categories": (Category, "Customer categories", "Group customers for tracking and reports."),
    "tags": (Tag, "Tags", "Free labels to find customers by."),
}


def _create(kind: str, workspace, data: dict):
    if kind == "stores":
        return services.store_create(workspace=workspace, name=data["name"])
    if kind == "categories":
        return customer_services.category_create(
            workspace=workspace, name=data["name"], description=data["description"]
        )
    return customer_services.tag_create(workspace=workspace, name=data["name"])


@requires("workspace.manage")
def labels(request, kind: str):
    model, title, explanation = LABELS[kind]
    form = NameForm(request.POST or None)
    if kind != "categories":
        del form.fields["description"]
    if request.method == "POST" and form.is_valid():
        try:
            created = _create(kind, request.workspace, form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Added {created}.")
            return redirect("setup_labels", kind=kind)
    rows = model.objects.filter(workspace=request.workspace).order_by("name")
    return render(
        request,
        "workspaces/labels.html",
        {"form": form, "rows": rows, "kind": kind, "title": title, "explanation": explanation},
    )


@require_POST
@requires(
    "workspace.manage",
    owner=lambda request, kind, pk: get_in_workspace(LABELS[kind][0], request.workspace, pk=pk),
)
def label_delete(request, kind: str, pk: int):
    model = LABELS[kind][0]
    row = get_in_workspace(model, request.workspace, pk=pk)
    try:
        if kind == "stores":
            services.store_delete(store=row)
        else:
            customer_services.label_delete(label=row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Deleted {row}.")
    return redirect("setup_labels", kind=kind)
