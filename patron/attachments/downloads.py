"""How a stored attachment goes back to a person: always as a download, never as a page.

Whatever the file holds, the browser is told to save it (Content-Disposition: attachment),
not to guess its type (nosniff), and to run nothing in it if it is shown all the same
(a CSP sandbox), so an attachment can never act as a page of Patron's origin.
"""

from django.http import FileResponse, Http404

from patron.attachments.filetypes import KIND_BY_CONTENT_TYPE
from patron.attachments.models import Attachment

TEXT_TYPES = {"text/plain", "text/csv"}


def safe_content_type(attachment: Attachment) -> str:
    """The detected type when it is one we accept; otherwise plain bytes."""
    content_type = attachment.content_type
    if content_type not in KIND_BY_CONTENT_TYPE:
        return "application/octet-stream"
    return f"{content_type}; charset=utf-8" if content_type in TEXT_TYPES else content_type


def download_response(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError as missing:
        raise Http404("The file of this attachment is missing from storage.") from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=safe_content_type(attachment),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
