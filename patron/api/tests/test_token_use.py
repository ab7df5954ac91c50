"""A token's "last used" time: kept to the minute, without a write on every request."""

import datetime

from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patron.api.authentication import read_token
from patron.api.models import ApiToken, hash_key
from patron.conftest import api_client_for
from patron.workspaces.roles import Role


def test_last_used_is_written_at_most_once_a_minute(member):
    api = api_client_for(member(Role.ADMIN))
    token = ApiToken.objects.get()
    assert token.last_used_at is None

    assert api.get("/api/v1/customers/").status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    assert api.get("/api/v1/customers/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use, "a second request within the minute writes nothing"

    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    ApiToken.objects.update(last_used_at=an_hour_ago)
    assert api.get("/api/v1/customers/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > an_hour_ago


def test_a_token_is_read_with_its_membership_user_and_workspace_in_one_query(member):
    membership = member(Role.ADMIN)
    ApiToken.issue(membership=member(Role.SALES), name="another member's")
    issued, key = ApiToken.issue(membership=membership, name="mine")
    ApiToken.objects.filter(pk=issued.pk).update(last_used_at=timezone.now())
    expected = ApiToken.objects.select_related("membership__user", "membership__workspace").get(
        pk=issued.pk
    )

    with CaptureQueriesContext(connection) as queries:
        token = read_token(hash_key(key))
        user, workspace = token.membership.user, token.membership.workspace
    assert len(queries) == 1

    def fields(instance) -> dict:
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    assert fields(token) == fields(expected) and token.last_used_at is not None
    assert fields(token.membership) == fields(expected.membership)
    assert fields(user) == fields(expected.membership.user)
    assert fields(workspace) == fields(expected.membership.workspace)
    assert model_to_dict(workspace) == model_to_dict(membership.workspace)
    assert (user, token.membership.role) == (membership.user, Role.ADMIN)
    assert read_token(hash_key(key + "x")) is None
