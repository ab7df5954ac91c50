import time

import pytest

from patron.cases.models import Case
from patron.history.services import changes_for
from patron.portal.auth import PORTAL_SESSION_KEY
from patron.portal.models import PortalAccess
from patron.portal.tests.conftest import PORTAL_PASSWORD, give_access, portal_log_in
from patron.sales import services as sales_services
from patron.workspaces.roles import Role


def raise_request(client, subject="Kettle leaks"):
    response = client.post(
        "/portal/requests/new/", {"subject": subject, "description": "Water everywhere."}
    )
    assert response.status_code == 302
    return Case.objects.get(subject=subject)


def test_a_contact_raises_and_cancels_a_request(portal, contact):
    case = raise_request(portal)
    assert (case.customer, case.status, case.description) == (contact, "open", "Water everywhere.")
    assert "Kettle leaks" in portal.get("/portal/requests/").content.decode()
    assert "Raised by Grace Hopper in the customer portal." in [
        change.reason for change in changes_for(case)
    ]
    assert {change.via for change in changes_for(case)} == {"portal"}

    response = portal.post(f"/portal/requests/{case.pk}/cancel/", follow=True)
    assert f"Request {case.number} is cancelled." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "closed" and case.resolved_at
    assert changes_for(case).first().reason == "Cancelled by Grace Hopper in the customer portal."
    response = portal.post(f"/portal/requests/{case.pk}/cancel/", follow=True)
    assert "is already closed" in response.content.decode()


def test_only_an_organization_manager_sees_the_colleagues_requests(client, access, colleague):
    case = raise_request(portal_log_in(client, access.customer.email))
    client.post("/portal/logout/")

    colleague_access = give_access(colleague)
    portal_log_in(client, colleague.email)
    assert "Kettle leaks" not in client.get("/portal/requests/").content.decode()
    assert client.get(f"/portal/requests/{case.pk}/").status_code == 404
    assert client.post(f"/portal/requests/{case.pk}/cancel/").status_code == 404

    colleague_access.is_organization_manager = True
    colleague_access.save()
    assert "Kettle leaks" in client.get("/portal/requests/").content.decode()
    client.post(f"/portal/requests/{case.pk}/cancel/")
    case.refresh_from_db()
    assert case.status == "closed"
    assert changes_for(case).first().reason == "Cancelled by Alan Turing in the customer portal."


def test_quotes_sent_to_the_contact_can_be_accepted_drafts_stay_hidden(
    portal, contact, organization, admin
):
    draft = sales_services.quote_create(customer=organization, actor=admin)
    sent = sales_services.quote_create(customer=contact, actor=admin)
    sales_services.quote_line_add(
        quote=sent,
        actor=admin,
        data={"description": "Descaling", "unit_price": "40.00", "quantity": "1"},
    )
    sales_services.quote_set_status(quote=sent, status="sent", actor=admin)
    listing = portal.get("/portal/quotes/").content.decode()
    assert f">{sent.number}<" in listing and f">{draft.number}<" not in listing
    assert portal.get(f"/portal/quotes/{draft.pk}/").status_code == 404
    assert "Descaling" in portal.get(f"/portal/quotes/{sent.pk}/").content.decode()

    response = portal.post(f"/portal/quotes/{sent.pk}/answer/", {"status": "accepted"}, follow=True)
    assert f"Quote {sent.number}: accepted." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "accepted"
    assert changes_for(sent).first().reason == "By Grace Hopper in the portal."


def test_failed_logins_are_rate_limited(client, access):
    for _ in range(4):
        response = client.post(
            "/portal/login/", {"email": "grace@globex.example", "password": "nope"}
        )
        assert "do not match a portal login" in response.content.decode()
    response = client.post("/portal/login/", {"email": "grace@globex.example", "password": "no"})
    assert "Too many attempts, try again in 15 minutes." in response.content.decode()
    response = client.post(
        "/portal/login/", {"email": "grace@globex.example", "password": PORTAL_PASSWORD}
    )
    assert response.status_code == 200, "the right password waits too"
    assert "Too many attempts" in response.content.decode()
    # Another address is not held up by this one's guesses.
    response = client.post(
        "/portal/login/",
        {"email": "grace@globex.example", "password": PORTAL_PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302


def test_behind_a_proxy_the_portal_limits_the_clients_address(client, access, settings):
    settings.PATRON_PROXIES = 1

    def log_in(password, client_address):
        return client.post(
            "/portal/login/",
            {"email": "grace@globex.example", "password": password},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"6.6.6.{len(password)}, {client_address}",
        )

    for password in ("a", "bb", "ccc", "dddd", "eeeee"):
        log_in(password, "198.51.100.7")
    assert "Too many attempts" in log_in(PORTAL_PASSWORD, "198.51.100.7").content.decode()
    assert log_in(PORTAL_PASSWORD, "203.0.113.9").status_code == 302, "another client"


def test_a_portal_login_opens_no_staff_page_or_api(portal, api):
    assert portal.get("/").status_code == 302
    assert portal.get("/").url.startswith("/login/")
    assert portal.get("/customers/").status_code == 302
    assert portal.get("/api/v1/customers/").status_code in (401, 403)
    assert portal.get("/portal/").status_code == 200


def test_a_staff_login_alone_opens_no_portal_page(admin_client, access):
    for url in ("/portal/", "/portal/requests/", "/portal/quotes/", "/portal/password/"):
        response = admin_client.get(url)
        assert response.status_code == 302 and response.url.startswith("/portal/login/"), url


def _age_session(client, **ago) -> None:
    session = client.session
    entry = session[PORTAL_SESSION_KEY]
    for name, seconds in ago.items():
        entry[name] = time.time() - seconds
    session[PORTAL_SESSION_KEY] = entry
    session.save()


def test_portal_sessions_expire_and_end_with_a_new_password(portal, access, admin):
    _age_session(portal, seen=31 * 60)  # idle for more than 30 minutes
    assert portal.get("/portal/").status_code == 302

    portal_log_in(portal, access.customer.email)
    _age_session(portal, since=13 * 3600)  # busy, but logged in more than 12 hours ago
    assert portal.get("/portal/").status_code == 302

    portal_log_in(portal, access.customer.email)
    assert portal.get("/portal/").status_code == 200
    from patron.portal import services

    services.portal_password_set(access=access, actor=admin, password="Someone-else-set-9")
    assert portal.get("/portal/").status_code == 302


def test_changing_the_password_keeps_this_session(portal, access):
    response = portal.post(
        "/portal/password/",
        {"old_password": PORTAL_PASSWORD, "new_password": "123"},
    )
    assert "This password is too short." in response.content.decode()
    response = portal.post(
        "/portal/password/",
        {"old_password": PORTAL_PASSWORD, "new_password": "Green-teapot-88-sun"},
    )
    assert response.status_code == 302
    assert portal.get("/portal/").status_code == 200
    access.refresh_from_db()
    assert access.check_password("Green-teapot-88-sun")


def test_reset_pages_answer_the_same_for_any_address(client, access):
    for email in ("grace@globex.example", "nobody@example.com"):
        response = client.post("/portal/reset/", {"email": email})
        assert f"If {email} logs in to the portal" in response.content.decode()
    assert client.get("/portal/reset/not-a-token/").status_code == 404


def test_staff_grant_revoke_and_manager_from_the_customer_page(
    admin_client, contact, smtp, django_capture_on_commit_callbacks
):
    response = admin_client.get(f"/customers/{contact.pk}/tabs/portal/")
    assert "Grant portal access" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/customers/{contact.pk}/portal-access/grant/", follow=True)
    assert "a generated password is emailed to grace@globex.example" in response.content.decode()
    access = PortalAccess.objects.get(customer=contact)
    assert [m.rcpt_tos for m in smtp.messages] == [["grace@globex.example"]]

    admin_client.post(
        f"/customers/{contact.pk}/portal-access/manager/", {"is_organization_manager": "on"}
    )
    access.refresh_from_db()
    assert access.is_organization_manager
    tab = admin_client.get(f"/customers/{contact.pk}/tabs/portal/").content.decode()
    assert "Take away the organization-manager right" in tab

    response = admin_client.post(
        f"/customers/{contact.pk}/portal-access/password/", {"password": "short"}, follow=True
    )
    assert "This password is too short." in response.content.decode()
    admin_client.post(f"/customers/{contact.pk}/portal-access/revoke/")
    access.refresh_from_db()
    assert not access.enabled


@pytest.mark.parametrize("role", [Role.SALES, Role.READ_ONLY])
def test_only_admins_and_managers_manage_portal_access(client, member, contact, role):
    client.force_login(member(role).user)
    assert client.post(f"/customers/{contact.pk}/portal-access/grant/").status_code == 403
    assert client.get("/setup/portal/").status_code == 403
    assert not PortalAccess.objects.exists()


def test_set_empty_passwords_from_the_portal_set_up(
    admin_client, workspace, contact, smtp, django_capture_on_commit_callbacks
):
    access = give_access(contact)
    PortalAccess.objects.filter(pk=access.pk).update(password="")
    page = admin_client.get("/setup/portal/").content.decode()
    assert "1 contact has portal access; 1 without a password." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/setup/portal/", {"action": "set_empty_passwords"}, follow=True
        )
    assert "Set empty passwords: 1 contact got a generated password by email." in (
        response.content.decode()
    )
    assert [m.rcpt_tos for m in smtp.messages] == [["grace@globex.example"]]

    admin_client.post(
        "/setup/portal/", {"action": "settings", "portal_access_for_new_customers": "on"}
    )
    workspace.refresh_from_db()
    assert workspace.portal_access_for_new_customers


def test_login_returns_to_the_portal_page_asked_for_and_nowhere_else(client, access):
    response = client.get("/portal/quotes/")
    assert response.url == "/portal/login/?next=%2Fportal%2Fquotes%2F"
    credentials = {"email": "grace@globex.example", "password": PORTAL_PASSWORD}
    response = client.post(response.url, {**credentials, "next": "/portal/quotes/"})
    assert response.url == "/portal/quotes/"
    client.post("/portal/logout/")
    for elsewhere in ("https://evil.example/portal/", "/customers/"):
        response = client.post("/portal/login/", {**credentials, "next": elsewhere})
        assert response.url == "/portal/", elsewhere
        client.post("/portal/logout/")
