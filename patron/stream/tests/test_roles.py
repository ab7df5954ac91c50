import pytest

from patron.workspaces.roles import Role, role_can


@pytest.mark.parametrize("role", Role.values)
def test_everyone_but_read_only_posts_and_comments(role):
    assert role_can(role, "stream.post") == (role != Role.READ_ONLY)


@pytest.mark.parametrize("role", Role.values)
def test_only_admins_moderate(role):
    assert role_can(role, "stream.moderate") == (role == Role.ADMIN)
