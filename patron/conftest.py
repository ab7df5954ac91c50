"""Fixtures shared by every test: two workspaces, members with roles, logged-in clients."""

import pytest
from rest_framework.test import APIClient

from patron.api.models import ApiToken
from patron.testing.factories import MembershipFactory, WorkspaceFactory, make_customer
from patron.workspaces.roles import Role


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme Trading", slug="acme")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Rival Ltd", slug="rival")


@pytest.fixture
def member(workspace):
    """Make a member of `workspace` with a role: member(Role.SALES)."""

    def make(role: str = Role.ADMIN, workspace_=None):
        return MembershipFactory(workspace=workspace_ or workspace, role=role)

    return make


@pytest.fixture
def admin(member):
    return member(Role.ADMIN).user


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def api_client_for(membership) -> APIClient:
    _, key = ApiToken.issue(membership=membership, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


@pytest.fixture
def api(member):
    """An API client with an admin's token in `workspace`."""
    return api_client_for(member(Role.ADMIN))


@pytest.fixture
def customer(workspace, admin):
    return make_customer(
        workspace, admin, first_name="Ada", last_name="Lovelace", email="ada@example.com"
    )


@pytest.fixture(autouse=True)
def _plain_static_files(settings, tmp_path):
    """Tests run without collectstatic's manifest, and keep uploads out of the project."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"  # whitenoise warns when it is missing
    settings.STATIC_ROOT.mkdir()
    # A deliberately weak, fast hasher: tests create many users; production uses PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run at once whatever PATRON_TASKS says; a test opts in to the queue (run_worker).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_worker(settings, monkeypatch):
    """Queue tasks in the database (PATRON_TASKS=db); calling it runs `patron worker --batch`."""
    import signal

    from django.core.management import call_command

    # The worker drops old connections between tasks; the test's own must stay open.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def run() -> None:
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        for sig, handler in handlers.items():  # the worker installs its own
            signal.signal(sig, handler)

    return run
