"""Email pages: compose and send to a customer, and one sent email."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.models import Customer
from patron.mail import services
from patron.mail.forms import ComposeForm
from patron.mail.models import SentEmail
from patron.workspaces.permissions import requires


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _email(request, pk: int, **kwargs) -> SentEmail:
    return get_in_workspace(
        SentEmail.objects.select_related("customer", "sender"), request.workspace, pk=pk
    )


@requires("mail.send", owner=_customer)
def compose(request, pk: int):
    """Send email, from the customer's left menu; `pk` is the customer's."""
    customer = _customer(request, pk)
    form = ComposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            email = services.email_send(
                customer=customer,
                actor=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if email.status == SentEmail.Status.FAILED:
                messages.error(request, f"“{email}” was not sent. {email.error}")
                return redirect(email)
            done = "Sent" if email.status == SentEmail.Status.SENT else "Queued"
            messages.success(request, f"{done} “{email}” to {email.to_address}.")
            return redirect(customer)
    return render(
        request,
        "mail/compose.html",
        {"form": form, "customer": customer, "refusal": services.email_refusal(customer)},
    )


@requires("customers.view", owner=_email)
def email_detail(request, pk: int):
    email = _email(request, pk)
    return render(request, "mail/email_detail.html", {"email": email, "customer": email.customer})
