import re
from datetime import UTC, datetime, timedelta

from django.test import Client
from icalendar import Calendar

from patron.notes import services
from patron.notes.calendar import note_uid
from patron.notes.models import CalendarFeed
from patron.testing.factories import MembershipFactory, make_customer, make_note
from patron.workspaces.roles import Role

TOMORROW = timedelta(days=1)


def _issue_url(client) -> str:
    page = client.post("/callbacks/calendar/").content.decode()
    return re.search(r'<code id="calendar-url">http://testserver(/[^<]+)</code>', page)[1]


def _events(url: str) -> dict:
    """The feed, read anonymously as a calendar app does, parsed by icalendar."""
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_has_one_event_per_open_callback(client, workspace, member, admin):
    me = member(Role.SALES)
    customer = make_customer(workspace, admin, first_name="Grace", last_name="Hopper")
    note = make_note(
        customer, admin, subject="Quote <b>chairs</b>", callback_in=TOMORROW, callback_for=me.user
    )
    done = make_note(
        make_customer(workspace, admin, last_name="Done"),
        admin,
        callback_in=TOMORROW,
        callback_for=me.user,
    )
    services.callback_mark_done(note=done, actor=admin)
    make_note(make_customer(workspace, admin, last_name="Plain"), me.user)
    client.force_login(me.user)
    events = _events(_issue_url(client))
    assert list(events) == ["Call back Grace Hopper"]
    event = events["Call back Grace Hopper"]
    assert str(event["UID"]) == note_uid(note)
    assert str(event["DESCRIPTION"]) == "Quote <b>chairs</b>"
    assert str(event["URL"]) == f"http://testserver/customers/{customer.pk}/"
    assert event.decoded("DTSTART") == note.callback_at.replace(microsecond=0)
    assert event.decoded("DURATION") == timedelta(minutes=15)


def test_the_uid_stays_when_the_callback_moves(client, workspace, member, admin, customer):
    me = member(Role.SALES)
    note = make_note(customer, me.user, callback_in=TOMORROW)
    client.force_login(me.user)
    url = _issue_url(client)
    before = _events(url)["Call back Ada Lovelace"]
    services.note_update(
        note=note, actor=me.user, data={"callback_at": note.callback_at + TOMORROW}
    )
    after = _events(url)["Call back Ada Lovelace"]
    assert before["UID"] == after["UID"]
    assert after.decoded("DTSTART") - before.decoded("DTSTART") == TOMORROW


def test_the_feed_shows_only_the_token_owners_callbacks_in_that_workspace(
    client, workspace, other_workspace, member, admin, customer
):
    me = member(Role.SALES)
    MembershipFactory(workspace=other_workspace, user=me.user, role=Role.ADMIN)
    colleague = member(Role.SALES).user
    make_note(customer, admin, subject="mine", callback_in=TOMORROW, callback_for=me.user)
    make_note(customer, admin, subject="theirs", callback_in=TOMORROW, callback_for=colleague)
    elsewhere = make_customer(other_workspace, me.user, last_name="Elsewhere")
    make_note(elsewhere, me.user, subject="other workspace", callback_in=TOMORROW)
    client.force_login(me.user)
    events = _events(_issue_url(client))
    assert [str(e["DESCRIPTION"]) for e in events.values()] == ["mine"]


def test_reset_makes_the_old_address_stop_working(client, member):
    me = member(Role.READ_ONLY)
    client.force_login(me.user)
    page = client.get("/callbacks/calendar/").content.decode()
    assert "Make my calendar address" in page
    old = _issue_url(client)
    assert Client().get(old).status_code == 200
    new = _issue_url(client)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.get().last_used_at is not None
    assert "Reset the address" in client.get("/callbacks/calendar/").content.decode()


def test_the_token_is_stored_hashed_and_shown_once(client, member):
    me = member(Role.SALES)
    client.force_login(me.user)
    url = _issue_url(client)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43
    feed = CalendarFeed.objects.get(membership=me)
    assert token not in feed.token_hash
    assert token not in client.get("/callbacks/calendar/").content.decode()


def test_an_unknown_token_answers_404(db):
    assert Client().get("/callbacks/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_a_deactivated_user_loses_the_feed(client, member):
    me = member(Role.SALES)
    client.force_login(me.user)
    url = _issue_url(client)
    me.user.is_active = False
    me.user.save()
    assert Client().get(url).status_code == 404


def test_a_callback_at_the_end_of_time_still_makes_a_calendar(client, member, customer):
    me = member(Role.SALES)
    make_note(customer, me.user, callback_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    client.force_login(me.user)
    event = _events(_issue_url(client))["Call back Ada Lovelace"]
    assert event.decoded("DTSTART").year == 9999
