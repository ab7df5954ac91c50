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


def _log_in_through_proxy(client, email, password, forwarded_for):
    """A login that reached Patron through a proxy at 10.0.0.2 (REMOTE_ADDR), which
    appended the address it was connected from to X-Forwarded-For."""
    return client.post(
        "/login/",
        {"username": email, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_the_count_is_the_clients_and_a_forged_header_changes_nothing(
    client, user, settings
):
    settings.PATRON_PROXIES = 1
    # A guesser varies the header it sends; the proxy appends its real address last.
    for forged in ("1.1.1.1", "2.2.2.2", "not an address", "3.3.3.3", "4.4.4.4"):
        _log_in_through_proxy(client, user.email, "wrong", f"{forged}, 198.51.100.7")
    assert _log_in_through_proxy(client, user.email, PASSWORD, "198.51.100.7").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    # Someone else behind the same proxy is another address: not locked out.
    assert _log_in_through_proxy(client, user.email, PASSWORD, "203.0.113.9").status_code == 302


def test_without_proxies_configured_the_header_is_ignored(client, user, settings):
    settings.PATRON_PROXIES = 0
    for n in range(5):  # a client writing its own header cannot spread its guesses
        _log_in_through_proxy(client, user.email, "wrong", f"192.0.2.{n}")
    assert _log_in_through_proxy(client, user.email, PASSWORD, "192.0.2.99").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "10.0.0.2"


def test_a_header_shorter_than_the_proxy_chain_is_not_trusted(client, user, settings):
    """Two proxies are configured but the header has one entry: it did not come through
    both, so whoever sent it may have written it; the connection's address counts."""
    settings.PATRON_PROXIES = 2
    for n in range(5):
        _log_in_through_proxy(client, user.email, "wrong", f"192.0.2.{n}")
    assert _log_in_through_proxy(client, user.email, PASSWORD, "192.0.2.99").status_code == 429
