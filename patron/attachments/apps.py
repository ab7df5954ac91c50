from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "patron.attachments"
    label = "attachments"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from patron.attachments.customer_page import register_attachment_parts
        from patron.attachments.models import Attachment
        from patron.attachments.services import remove_file_of_cascaded_row

        register_attachment_parts()
        post_delete.connect(
            remove_file_of_cascaded_row, sender=Attachment, dispatch_uid="attachment_file"
        )
