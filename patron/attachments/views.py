"""Attachment pages: thin adapters over patron.attachments.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from patron.attachments import services
from patron.attachments.downloads import download_response
from patron.attachments.forms import AttachmentForm
from patron.attachments.models import Attachment
from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.workspaces.permissions import requires


def _attachment(request, pk: int) -> Attachment:
    return get_in_workspace(
        Attachment.objects.select_related("customer", "uploaded_by"), request.workspace, pk=pk
    )


def _customer(request, pk: int) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


@requires("attachments.change", owner=_customer)
def attachment_create(request, pk: int):
    """The left menu's "Add Attachment" on a customer's page; `pk` is the customer's."""
    customer = _customer(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_create(
                workspace=request.workspace,
                actor=request.user,
                data={"customer": customer, **form.service_data()},
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Attached {attachment} to {customer}.")
            return redirect(attachment)
    return render(
        request,
        "attachments/attachment_form.html",
        {"form": form, "customer": customer, "attachment": None},
    )


@requires("customers.view", owner=_attachment)
def attachment_detail(request, pk: int):
    attachment = _attachment(request, pk)
    return render(
        request,
        "attachments/attachment_detail.html",
        {
            "attachment": attachment,
            "customer": attachment.customer,
            "changes": changes_for(attachment)[:100],
        },
    )


@requires("attachments.change", owner=_attachment)
def attachment_edit(request, pk: int):
    attachment = _attachment(request, pk)
    form = AttachmentForm(
        request.POST or None,
        request.FILES or None,
        replacing=True,
        initial={"description": attachment.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_update(
                attachment=attachment, actor=request.user, data=form.service_data()
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved {attachment}.")
            return redirect(attachment)
    return render(
        request,
        "attachments/attachment_form.html",
        {"form": form, "customer": attachment.customer, "attachment": attachment},
    )


@requires("attachments.change", owner=_attachment)
def attachment_delete(request, pk: int):
    attachment = _attachment(request, pk)
    customer = attachment.customer
    if request.method != "POST":
        return render(
            request,
            "attachments/attachment_confirm_delete.html",
            {"attachment": attachment, "customer": customer},
        )
    services.attachment_delete(attachment=attachment, actor=request.user)
    messages.success(request, f"Deleted the attachment {attachment}.")
    return redirect(customer)


@requires("customers.view", owner=_attachment)
def attachment_download(request, pk: int):
    return download_response(_attachment(request, pk))
