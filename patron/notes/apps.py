from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "patron.notes"
    label = "notes"

    def ready(self) -> None:
        from patron.notes.customer_parts import register_note_parts

        register_note_parts()
