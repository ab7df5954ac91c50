import socket

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from patron.campaigns.models import Activity
from patron.cases.models import Case
from patron.customers.models import Customer
from patron.lists.models import CustomerList
from patron.loyalty.models import LoyaltyEntry
from patron.sales.models import Quote
from patron.telemarketing.models import Response
from patron.workspaces.models import Membership, Workspace
from patron.workspaces.roles import Role


def test_create_workspace_without_prompts(db, monkeypatch, capsys):
    monkeypatch.setenv("PATRON_ADMIN_PASSWORD", "a-Long-enough-secret")
    call_command(
        "create_workspace",
        "--name",
        "Acme Ltd",
        "--admin-email",
        "Boss@Acme.example",
        "--store",
        "North",
        "--store",
        "South",
    )
    workspace = Workspace.objects.get(slug="acme-ltd")
    membership = Membership.objects.get(workspace=workspace)
    assert membership.role == Role.ADMIN
    assert membership.user.email == "boss@acme.example"
    assert membership.user.check_password("a-Long-enough-secret")
    assert sorted(workspace.stores.values_list("name", flat=True)) == ["North", "South"]
    assert "Created workspace acme-ltd" in capsys.readouterr().out


def test_create_workspace_needs_a_password(db, monkeypatch):
    monkeypatch.delenv("PATRON_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="PATRON_ADMIN_PASSWORD"):
        call_command("create_workspace", "--name", "Acme", "--admin-email", "a@b.example")
    assert not Workspace.objects.exists()


def test_a_weak_password_leaves_no_workspace(db, monkeypatch):
    monkeypatch.setenv("PATRON_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        call_command("create_workspace", "--name", "Acme", "--admin-email", "a@b.example")
    assert not Workspace.objects.exists()


def test_demo_creates_once_and_prints_the_login(db, monkeypatch, capsys):
    monkeypatch.setenv("PATRON_ADMIN_EMAIL", "demo@example.com")
    monkeypatch.setenv("PATRON_ADMIN_PASSWORD", "demo-Password-2026")
    call_command("demo", "--people", "20", "--organizations", "3")
    call_command("demo", "--people", "20", "--organizations", "3")
    out = capsys.readouterr().out
    assert out.count("Log in as demo@example.com with password demo-Password-2026") == 2
    assert Customer.objects.people().count() == 20
    assert Customer.objects.organizations().count() == 3
    assert Customer.objects.filter(organization__isnull=False).exists()
    assert "sales@example.com, accounts@example.com" in out
    assert Customer.objects.filter(workflow_state="released").exists()
    # Marketing to try: lists built by their rules, a running activity and script.
    lists = {customer_list.name: customer_list for customer_list in CustomerList.objects.all()}
    assert lists.keys() == {"Spring newsletter", "Spring brochure requests"}
    assert lists["Spring newsletter"].entries.exists()
    assert Activity.objects.running().filter(reference_code="SPRING27").exists()
    assert Response.objects.exists()
    # Service and sales to try: cases, points, and quotes under an organization's level.
    assert Case.objects.count() == 20 + 1  # and one raised in the portal
    assert LoyaltyEntry.objects.exists()
    quote = Quote.objects.get(status="sent")
    assert quote.lines.count() == 3 and quote.customer.kind == Customer.Kind.ORGANIZATION
    # The portal: two of that organization's contacts log in with the demo password.
    portal_logins = [line for line in out.splitlines() if "Customer portal:" in line]
    assert len(portal_logins) == 2
    contacts = Customer.objects.filter(portal_access__enabled=True)
    assert {contact.organization for contact in contacts} == {quote.customer}
    for contact in contacts:
        assert contact.email in portal_logins[1]
        assert check_password("demo-Password-2026", contact.portal_access.password)
    assert contacts.filter(portal_access__is_organization_manager=True).count() == 1


def test_purge_deleted_command(db, capsys):
    call_command("purge_deleted", "--days", "30")
    assert "Purged 0 customers" in capsys.readouterr().out


def test_the_demo_sends_no_email_to_a_mail_server_it_has_none_of(
    transactional_db, settings, caplog
):
    """`make run` has no mail server: the demo's portal grants, whose generated passwords
    it replaces at once, must not try one (each failure was logged)."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port, "timeout": 2},
        }
    }
    call_command("demo", "--people", "20", "--organizations", "3")  # commits, then emails
    assert Customer.objects.filter(portal_access__enabled=True).count() == 2
    assert not [record for record in caplog.records if "failed" in record.getMessage()]
