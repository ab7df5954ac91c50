"""A token's "last used" time: kept to the minute, without a write on every request."""

import datetime

from django.utils import timezone

from patron.api.models import ApiToken
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
