"""The Notes tab and the "Add Note" left-menu link on the customer page (manual 000)."""

from patron.customers.customer_page import MenuLink, Tab, register, register_link


def _notes_tab(request, customer) -> dict:
    notes = customer.notes.in_entry_order().select_related("author", "callback_for")
    return {"notes": notes}


def register_note_parts() -> None:
    register(
        Tab(
            slug="notes",
            label="Notes",
            template="notes/tabs/notes.html",
            context=_notes_tab,
            order=20,
        )
    )
    register_link(
        MenuLink(label="Add Note", url_name="notes:create", capability="notes.change", order=20)
    )
