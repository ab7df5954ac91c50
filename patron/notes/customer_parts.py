"""The Notes tab and the "Add Note" left-menu link on the customer page (manual 000)."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)
from patron.notes.models import Note
from patron.workspaces.dashboard import Tile, register_tile


def _notes_tab(request, customer) -> dict:
    notes = customer.notes.in_entry_order().select_related("author", "callback_for")
    return {"notes": notes}


def _callbacks_due(request) -> int:
    """My open call-backs due by the end of today."""
    end_of_today = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), time.min)
    )
    return (
        Note.objects.in_workspace(request.workspace)
        .open_callbacks()
        .filter(callback_for=request.user, callback_at__lt=end_of_today)
        .count()
    )


def _timeline(customer, limit):
    for note in customer.notes.select_related("author").order_by("-created_at")[:limit]:
        yield TimelineEntry(
            when=note.created_at,
            kind="Note",
            title=note.subject,
            url=reverse("notes:detail", args=[note.pk]),
            who=str(note.author or ""),
        )


def register_note_parts() -> None:
    register_timeline(_timeline)
    register_tile(
        Tile(
            slug="callbacks-due",
            label="Call-backs due today",
            count=_callbacks_due,
            url=lambda request: reverse("notes:my_callbacks"),
            order=25,
        )
    )
    register(
        Tab(
            slug="notes",
            label="Notes",
            template="notes/tabs/notes.html",
            context=_notes_tab,
            order=20,
            count=lambda customer: customer.notes.count(),
        )
    )
    register_link(
        MenuLink(label="Add Note", url_name="notes:create", capability="notes.change", order=20)
    )
