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
