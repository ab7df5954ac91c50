from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from patron.conftest import api_client_for
from patron.customers.services import customer_delete
from patron.history.services import changes_for
from patron.notes import services
from patron.notes.models import Note
from patron.testing.factories import MembershipFactory, make_customer, make_note
from patron.workspaces.roles import Role

URL = "/api/v1/notes/"
TOMORROW = timedelta(days=1)


def _iso(when) -> str:
    return when.isoformat()


def _query_time(when) -> str:
    """In a query string, "+00:00" would read as " 00:00"."""
    return quote(when.isoformat())


def test_create_read_and_history(api, customer):
    when = timezone.now() + TOMORROW
    response = api.post(
        URL,
        {
            "customer": customer.pk,
            "subject": "Quote",
            "body": "<b>x</b>",
            "callback_at": _iso(when),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    note = Note.objects.get(pk=body["id"])
    assert body["author"] == body["callback_for"] == note.author.pk
    assert body["body"] == "<b>x</b>" and body["callback_done"] is False
    assert changes_for(note).get().via == "api"
    assert api.get(f"{URL}{note.pk}/").json()["subject"] == "Quote"


def test_a_past_callback_is_refused_with_the_field(api, customer):
    response = api.post(
        URL,
        {"customer": customer.pk, "subject": "x", "callback_at": _iso(timezone.now() - TOMORROW)},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["message"]) for e in errors] == [("callback_at", services.PAST_CALLBACK)]
    assert not Note.objects.exists()


def test_update_done_and_delete(api, customer, admin):
    note = make_note(customer, admin, callback_in=TOMORROW)
    url = f"{URL}{note.pk}/"
    assert api.patch(url, {"subject": "Changed"}, format="json").json()["subject"] == "Changed"
    done = api.post(f"{url}done/")
    assert done.status_code == 200 and done.json()["callback_done"] is True
    assert done.json()["done_at"] is not None
    assert api.post(f"{url}undone/").json()["callback_done"] is False
    assert api.delete(url).status_code == 204
    assert not Note.objects.exists()
    assert changes_for(note).first().via == "api"


def test_done_without_a_callback_is_a_conflict(api, customer, admin):
    note = make_note(customer, admin)
    response = api.post(f"{URL}{note.pk}/done/")
    assert response.status_code == 409 and response.json()["code"] == "no_callback"


def test_list_is_oldest_first_and_filters(api, workspace, member, customer, admin):
    colleague = member(Role.SALES).user
    other = make_customer(workspace, admin, last_name="Other")
    first = make_note(customer, admin, subject="first", callback_in=TOMORROW)
    second = make_note(other, admin, subject="second", callback_in=3 * TOMORROW)
    third = make_note(
        customer, admin, subject="third", callback_for=colleague, callback_in=TOMORROW
    )
    services.callback_mark_done(note=third, actor=admin)
    make_note(customer, admin, subject="plain")

    def subjects(query: str = "") -> list[str]:
        response = api.get(URL + query)
        assert response.status_code == 200, response.json()
        return [row["subject"] for row in response.json()["results"]]

    assert subjects() == ["first", "second", "third", "plain"]
    assert subjects(f"?customer={other.pk}") == ["second"]
    assert subjects(f"?callback_for={colleague.pk}") == ["third"]
    assert subjects(
        "?callback_done=false&due_before=" + _query_time(timezone.now() + 2 * TOMORROW)
    ) == ["first"]
    assert subjects("?callback_done=true") == ["third"]
    assert subjects("?ordering=-callback_at&callback_done=false&due_before=2999-01-01T00:00Z") == [
        "second",
        "first",
    ]
    assert first.pk and second.pk


def test_bad_filters_are_refused(api, other_workspace):
    stranger = MembershipFactory(workspace=other_workspace).user
    assert api.get(f"{URL}?callback_for={stranger.pk}").status_code == 400
    assert api.get(f"{URL}?due_before=tomorrow").status_code == 400
    assert api.get(f"{URL}?due_before={quote('9999-12-31T23:59-01:00')}").status_code == 400
    assert api.get(f"{URL}?callback_done=maybe").status_code == 400


def test_related_ids_of_another_workspace_are_refused(api, customer, other_workspace):
    foreign = make_customer(other_workspace, None, last_name="Elsewhere")
    stranger = MembershipFactory(workspace=other_workspace).user
    response = api.post(URL, {"customer": foreign.pk, "subject": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "customer"
    response = api.post(
        URL,
        {
            "customer": customer.pk,
            "subject": "x",
            "callback_at": _iso(timezone.now() + TOMORROW),
            "callback_for": stranger.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "callback_for"
    assert not Note.objects.exists()


def test_notes_of_binned_customers_are_left_out(api, workspace, customer, admin):
    binned = make_customer(workspace, admin, last_name="Binned")
    note = make_note(binned, admin, subject="hidden")
    customer_delete(customer=binned, actor=admin)
    assert api.get(URL).json()["count"] == 0
    assert api.get(f"{URL}{note.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("role", "method", "path", "expected"),
    [
        (Role.READ_ONLY, "get", "", 200),
        (Role.READ_ONLY, "get", "{pk}/", 200),
        (Role.READ_ONLY, "post", "", 403),
        (Role.READ_ONLY, "patch", "{pk}/", 403),
        (Role.READ_ONLY, "delete", "{pk}/", 403),
        (Role.READ_ONLY, "post", "{pk}/done/", 403),
        (Role.AGENT, "patch", "{pk}/", 200),
        (Role.SALES, "delete", "{pk}/", 204),
    ],
)
def test_roles_are_enforced(member, customer, admin, role, method, path, expected):
    note = make_note(customer, admin, callback_in=TOMORROW)
    api = api_client_for(member(role))
    data = {"customer": customer.pk, "subject": "Someone"} if method in ("post", "patch") else None
    response = getattr(api, method)(URL + path.format(pk=note.pk), data, format="json")
    assert response.status_code == expected
