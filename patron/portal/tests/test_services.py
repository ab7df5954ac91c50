import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from patron.customers.models import Customer
from patron.exchange.importing import import_job_create, import_run
from patron.exchange.reading import open_table
from patron.history.models import Change
from patron.history.services import changes_for
from patron.portal import services
from patron.portal.models import PortalAccess, PortalResetToken
from patron.portal.tests.conftest import give_access
from patron.testing.factories import make_customer

PASSWORD_LINE = re.compile(r"^Password: (\S+)", re.MULTILINE)


def emailed_password(mailbox) -> str:
    return PASSWORD_LINE.search(mailbox.messages[-1].message.get_content()).group(1)


def test_grant_emails_a_generated_password_and_keeps_only_its_hash(
    contact, admin, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        access = services.portal_access_grant(
            customer=contact, actor=admin, site_url="http://crm.example"
        )
    (arrived,) = smtp.messages
    assert arrived.rcpt_tos == ["grace@globex.example"]
    assert "customer portal" in arrived.message["Subject"]
    body = arrived.message.get_content()
    assert "http://crm.example/portal/login/" in body
    password = emailed_password(smtp)
    assert len(password) >= 14
    access.refresh_from_db()
    assert password not in access.password and identify_hasher(access.password)
    assert access.check_password(password) and access.enabled and access.password_set_at
    (change,) = changes_for(access)
    assert change.actor == admin
    assert "emailed to grace@globex.example" in change.reason


def test_grant_is_refused_with_the_reason(workspace, admin, organization, contact):
    with pytest.raises(ValidationError, match="organization cannot log in"):
        services.portal_access_grant(customer=organization, actor=admin)
    nameless = make_customer(workspace, admin, last_name="Nomail")
    with pytest.raises(ValidationError, match="has no email address"):
        services.portal_access_grant(customer=nameless, actor=admin)
    give_access(contact)
    twin = make_customer(workspace, admin, last_name="Twin", email="grace@globex.example")
    with pytest.raises(ValidationError, match="already logs in to the portal as"):
        services.portal_access_grant(customer=twin, actor=admin)
    with pytest.raises(ValidationError, match="already has portal access"):
        services.portal_access_grant(customer=contact, actor=admin)
    assert not PortalAccess.objects.filter(customer__in=[organization, nameless, twin]).exists()


def test_a_failed_email_clears_the_password_and_set_empty_passwords_sends_another(
    workspace, contact, colleague, admin, smtp, django_capture_on_commit_callbacks
):
    smtp.refuse["grace@globex.example"] = "550 5.1.1 No such mailbox"
    with django_capture_on_commit_callbacks(execute=True):
        access = services.portal_access_grant(customer=contact, actor=admin)
    access.refresh_from_db()
    assert not access.has_password and access.enabled
    assert "password email failed" in changes_for(access).first().reason
    give_access(colleague)  # has a password: left alone

    del smtp.refuse["grace@globex.example"]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.portal_set_empty_passwords(workspace=workspace, actor=admin)
    assert (result.given, result.skipped) == (1, [])
    assert [m.rcpt_tos for m in smtp.messages] == [["grace@globex.example"]]
    access.refresh_from_db()
    assert access.check_password(emailed_password(smtp))
    assert changes_for(access).first().reason.startswith("Set empty passwords")


def test_set_empty_passwords_reports_who_cannot_be_emailed(workspace, contact, admin):
    access = give_access(contact)
    PortalAccess.objects.filter(pk=access.pk).update(password="")
    type(contact).objects.filter(pk=contact.pk).update(email_invalid_since=timezone.now())
    result = services.portal_set_empty_passwords(workspace=workspace, actor=admin)
    assert result.given == 0
    assert "Grace Hopper: " in result.skipped[0] and "invalid" in result.skipped[0]


def test_passwords_follow_django_validators(contact, admin):
    access = give_access(contact)
    with pytest.raises(ValidationError) as refused:
        services.portal_password_set(access=access, actor=admin, password="12345678")
    assert "This password is entirely numeric." in refused.value.message_dict["password"]
    with pytest.raises(ValidationError) as refused:
        services.portal_password_change(
            access=access, old_password="Blue-kettle-47-rain", new_password="grace@globex"
        )
    assert "too similar" in str(refused.value.message_dict["new_password"])
    with pytest.raises(ValidationError, match="current password is not right"):
        services.portal_password_change(
            access=access, old_password="wrong", new_password="Another-long-one-93"
        )
    access.refresh_from_db()
    assert access.check_password("Blue-kettle-47-rain")


def test_reset_link_works_once_and_expires(contact, smtp, django_capture_on_commit_callbacks):
    access = give_access(contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.portal_reset_request(email="nobody@globex.example", site_url="http://x")
        services.portal_reset_request(email="Grace@Globex.example ", site_url="http://x")
    (arrived,) = smtp.messages  # nothing for an address without access
    token = re.search(r"http://x/portal/reset/(\S+)/", arrived.message.get_content()).group(1)
    assert not PortalResetToken.objects.filter(digest=token).exists()  # only its hash

    services.portal_password_reset(token=token, new_password="Fresh-start-2026-x")
    access.refresh_from_db()
    assert access.check_password("Fresh-start-2026-x")
    with pytest.raises(ValidationError, match="expired or was already used"):
        services.portal_password_reset(token=token, new_password="Again-and-again-77")

    with django_capture_on_commit_callbacks(execute=True):
        services.portal_reset_request(email="grace@globex.example", site_url="http://x")
    token = re.search(r"/portal/reset/(\S+)/", smtp.messages[-1].message.get_content()).group(1)
    PortalResetToken.objects.filter(used_at=None).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.reset_token_access(token) is None
    with pytest.raises(ValidationError, match="expired"):
        services.portal_password_reset(token=token, new_password="Too-late-for-this-1")


def test_revoke_clears_the_password(contact, admin):
    access = services.portal_access_revoke(access=give_access(contact), actor=admin)
    assert (access.enabled, access.has_password) == (False, False)
    assert changes_for(access).first().reason == "Portal access revoked."


def test_the_manager_right_needs_an_organization(workspace, admin):
    loner = make_customer(workspace, admin, last_name="Alone", email="alone@example.com")
    with pytest.raises(ValidationError, match="not a contact of an organization"):
        give_access(loner, manager=True)


def test_workspace_setting_grants_access_to_new_customers_with_an_email(
    workspace, admin, smtp, django_capture_on_commit_callbacks
):
    services.portal_settings_update(
        workspace=workspace, portal_access_for_new_customers=True, actor=admin
    )
    workspace.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        emailed = make_customer(workspace, admin, last_name="New", email="new@example.com")
        silent = make_customer(workspace, admin, last_name="Quiet")
        organization = make_customer(workspace, admin, kind="organization", email="org@example.com")
    assert PortalAccess.objects.get(customer=emailed).has_password
    assert not PortalAccess.objects.filter(customer__in=[silent, organization]).exists()
    assert [m.rcpt_tos for m in smtp.messages] == [["new@example.com"]]


def test_the_command_sets_empty_passwords(
    workspace, contact, smtp, settings, django_capture_on_commit_callbacks
):
    settings.PATRON_SITE_URL = "https://crm.example"
    access = give_access(contact)
    PortalAccess.objects.filter(pk=access.pk).update(password="")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("portal_set_empty_passwords", workspace="acme", stdout=out)
    assert out.getvalue() == "1 contact got a generated password by email.\n"
    access.refresh_from_db()
    assert access.check_password(emailed_password(smtp))
    assert "https://crm.example/portal/login/" in smtp.messages[0].message.get_content()


def test_the_workspace_setting_grants_access_to_the_people_an_import_creates(
    tmp_path, workspace, admin, smtp, django_capture_on_commit_callbacks
):
    services.portal_settings_update(
        workspace=workspace, portal_access_for_new_customers=True, actor=admin
    )
    known = make_customer(workspace, admin, last_name="Known", email="known@example.com")
    path = tmp_path / "people.csv"
    path.write_text(
        "Last name,Email,Customer type\n"
        "New,new@example.com,customer\n"
        "Quiet,,customer\n"
        "Known,known@example.com,customer\n"  # matched by email: updated, not new
    )
    table = open_table(path)
    job = import_job_create(workspace=workspace, actor=admin, table=table)
    with django_capture_on_commit_callbacks(execute=True):
        report = import_run(workspace=workspace, actor=admin, job=job)
    assert (report.created, report.updated + report.unchanged) == (2, 1)
    new = Customer.objects.get(email="new@example.com")
    assert list(PortalAccess.objects.values_list("customer", flat=True)) == [new.pk]
    assert PortalAccess.objects.get(customer=new).has_password
    assert [m.rcpt_tos for m in smtp.messages] == [["new@example.com"]]
    assert not PortalAccess.objects.filter(customer=known).exists()
    assert Change.objects.filter(object_id=PortalAccess.objects.get().pk, via="import").exists()
