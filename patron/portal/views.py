"""The customer portal's pages (/portal/): log in and out, requests (cases), quotes, the
password. Every page works for the contact logged in to the portal only; anything it
may not see answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from patron.core.client_address import client_address
from patron.core.forms import add_validation_errors
from patron.portal import auth, services
from patron.portal.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    RequestForm,
)
from patron.portal.queries import requests_for
from patron.sales.financials import quote_totals
from patron.sales.models import QuoteStatus
from patron.sales.queries import quotes_for_contact
from patron.sales.services import quote_set_status


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


def _next_page(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith("/portal/") else "/portal/"


@login_not_required
def login(request):
    if auth.current_access(request):
        return redirect("portal:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = auth.authenticate(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                ip=client_address(request) or "unknown",
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            auth.login(request, access)
            return redirect(_next_page(request))
    return render(request, "portal/login.html", {"form": form, "next": _next_page(request)})


@require_POST
@login_not_required
def logout(request):
    auth.logout(request)
    messages.success(request, "You have logged out of the portal.")
    return redirect("portal:login")


@auth.portal_page
def home(request):
    access = request.portal_access
    requests = requests_for(access)
    return render(
        request,
        "portal/home.html",
        {
            "open_requests": requests.exclude(status__in=requests.model.DONE)[:5],
            "quotes": quotes_for_contact(access.customer).filter(status=QuoteStatus.SENT)[:5],
        },
    )


def _request(request, pk: int):
    """A request the contact may see, or 404 (another contact's without the manager
    right, another organization's, another workspace's)."""
    return get_object_or_404(requests_for(request.portal_access), pk=pk)


@auth.portal_page
def request_list(request):
    access = request.portal_access
    return render(
        request,
        "portal/request_list.html",
        {"requests": requests_for(access)[:200], "manager": access.is_organization_manager},
    )


@auth.portal_page
def request_create(request):
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.portal_request_raise(
                access=request.portal_access,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"We have your request, no. {case.number}.")
            return redirect("portal:request_detail", pk=case.pk)
    return render(request, "portal/request_form.html", {"form": form})


@auth.portal_page
def request_detail(request, pk: int):
    return render(request, "portal/request_detail.html", {"case": _request(request, pk)})


@require_POST
@auth.portal_page
def request_cancel(request, pk: int):
    case = _request(request, pk)
    try:
        services.portal_request_cancel(access=request.portal_access, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Request {case.number} is cancelled.")
    return redirect("portal:request_detail", pk=case.pk)


def _quote(request, pk: int):
    return get_object_or_404(quotes_for_contact(request.portal_access.customer), pk=pk)


@auth.portal_page
def quote_list(request):
    quotes = quotes_for_contact(request.portal_access.customer).select_related("customer")
    return render(request, "portal/quote_list.html", {"quotes": quotes[:200]})


@auth.portal_page
def quote_detail(request, pk: int):
    quote = _quote(request, pk)
    totals = quote_totals(quote.lines.select_related("item").order_by("position", "pk"))
    return render(request, "portal/quote_detail.html", {"quote": quote, "totals": totals})


@require_POST
@auth.portal_page
def quote_answer(request, pk: int):
    """Accept or decline a sent quote."""
    quote = _quote(request, pk)
    status = request.POST.get("status", "")
    if status not in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        raise Http404("Accept or decline.")
    try:
        quote_set_status(
            quote=quote,
            status=status,
            actor=None,
            via="portal",
            contact=request.portal_access.customer,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Quote {quote.number}: {QuoteStatus(status).label.lower()}.")
    return redirect("portal:quote_detail", pk=quote.pk)


@auth.portal_page
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.portal_password_change(
                access=request.portal_access,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            auth.login(request, access)  # this session goes on; the others end
            messages.success(request, "Your password is changed.")
            return redirect("portal:home")
    return render(request, "portal/password_change.html", {"form": form})


@login_not_required
def reset_request(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.portal_reset_request(email=form.cleaned_data["email"], site_url=_site_url(request))
        return render(request, "portal/reset_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "portal/reset_request.html", {"form": form})


@login_not_required
def reset(request, token: str):
    if services.reset_token_access(token) is None:
        return render(request, "portal/reset_invalid.html", status=404)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_password_reset(
                token=token, new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            auth.logout(request)
            messages.success(request, "Your new password is set: log in with it.")
            return redirect("portal:login")
    return render(request, "portal/reset.html", {"form": form})
