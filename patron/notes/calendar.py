"""A member's call-backs as an iCalendar feed (RFC 5545), written by the icalendar library."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from patron.customers.models import Customer
from patron.notes.models import Note

CALL_LENGTH = timedelta(minutes=15)
REFRESH = timedelta(minutes=15)


def note_uid(note: Note) -> str:
    """Stable for the note's life, so a moved call-back moves the same calendar event."""
    return f"patron-note-{note.pk}@patron"


def callback_calendar(membership, *, customer_url: Callable[[Customer], str]) -> bytes:
    """One event per call-back still to make by the member, in the member's workspace."""
    callbacks = (
        Note.objects.in_workspace(membership.workspace)
        .open_callbacks()
        .filter(callback_for=membership.user)
        .select_related("customer")
    )
    calendar = Calendar.new(
        name=f"Patron call-backs · {membership.workspace}",
        prodid="-//Patron//Call-backs//EN",
        uid=f"patron-callbacks-{membership.pk}@patron",
        refresh_interval=REFRESH,
    )
    stamp = timezone.now()
    for note in callbacks:
        event = Event.new(
            uid=note_uid(note),
            start=note.callback_at,
            stamp=stamp,
            last_modified=note.updated_at,
            summary=f"Call back {note.customer}",
            description=note.subject,
            url=customer_url(note.customer),
            status="CONFIRMED",
        )
        # A duration, not an end: a call-back at 23:59 on 31 Dec 9999 has no end time.
        event.add("duration", CALL_LENGTH)
        calendar.add_component(event)
    return calendar.to_ical()
