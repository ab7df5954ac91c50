"""Staff logins are rate limited (django-axes): 5 wrong passwords for one email from one
address lock that pair out for 15 minutes; other people and other addresses are not."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from patron.testing.factories import PASSWORD, MembershipFactory


@pytest.fixture
def user(workspace):
    return MembershipFactory(workspace=workspace).user


def _log_in(client, email, password, address="198.51.100.7"):
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_email_out_from_that_address(client, user, workspace):
    for case in (str.lower, str.upper, str.title, str.lower):  # one account in any case
        page = _log_in(client, case(user.email), "wrong")
        assert page.status_code == 200
        assert "Please enter a correct" in page.content.decode()
    locked = _log_in(client, user.email, "wrong")
    assert locked.status_code == 429
    assert "5 wrong passwords in a row" in locked.content.decode()
    assert "blocked for 15 minutes" in locked.content.decode()

    # Even the right password is refused now, and nobody is logged in.
    assert _log_in(client, user.email, PASSWORD).status_code == 429
    assert client.get("/customers/").status_code == 302

    # Another address, or another person from the same address, may still log in.
    assert _log_in(client, user.email, PASSWORD, address="203.0.113.9").status_code == 302
    client.post("/logout/")
    colleague = MembershipFactory(workspace=workspace).user
    assert _log_in(client, colleague.email, PASSWORD).status_code == 302


def test_the_lock_ends_after_15_minutes_and_a_success_clears_the_count(client, user):
    for _ in range(5):
        _log_in(client, user.email, "wrong")
    assert _log_in(client, user.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _log_in(client, user.email, PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        _log_in(client, user.email, "wrong")
    assert _log_in(client, user.email, PASSWORD).status_code == 302, "4 failures are allowed"


def test_the_api_token_endpoint_counts_and_answers_in_json(client, user):
    def obtain(password):
        return client.post(
            "/api/v1/auth/token/",
            {"username": user.email, "password": password, "name": "script"},
            content_type="application/json",
            REMOTE_ADDR="198.51.100.7",
        )

    for _ in range(4):
        assert obtain("wrong").status_code == 401
    locked = obtain("wrong")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert "try again in 15 minutes" in locked.json()["detail"]
    assert locked["Retry-After"] == "900"
    assert obtain(PASSWORD).status_code == 429
