"""Small real files of each kind for upload tests, and attachments made through the service."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from patron.attachments.models import Attachment
from patron.attachments.services import attachment_create
from patron.customers.models import Customer
from patron.workspaces.models import User

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TEXT = "Called about the renewal; wants a quote by Friday. Ünïcödé is fine.\n".encode()
CSV = b"name,email\nAda,ada@example.com\n"
EMAIL = (
    b"From: Ada <ada@example.com>\r\nTo: sales@example.com\r\nSubject: Quote\r\n"
    b"Date: Mon, 1 Jun 2026 09:00:00 +0000\r\n\r\nPlease send the quote.\r\n"
)
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image(format_: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format=format_)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes | str], *, first: tuple[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:  # ODF's "mimetype" must come first, stored
            archive.writestr(first[0], first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


_OOXML_MAIN = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}


def office(extension: str = "docx", *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Office Open XML package (.docx, .xlsx, .pptx)."""
    part, content_type = _OOXML_MAIN[extension]
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="application/'
        f'vnd.openxmlformats-officedocument.{content_type}"/></Types>'
    )
    return _zip({"[Content_Types].xml": types, part: "<document/>", **(extra or {})})


def opendocument(kind: str = "text") -> bytes:
    """A minimal OpenDocument file (kind "text" for .odt, "spreadsheet" for .ods)."""
    mimetype = f"application/vnd.oasis.opendocument.{kind}"
    return _zip({"content.xml": "<office:document-content/>"}, first=("mimetype", mimetype))


def plain_zip() -> bytes:
    return _zip({"readme.txt": "hello"})


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    """An uploaded file as Django hands it to a view; `content_type` is the client's claim."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_attachment(
    customer: Customer,
    actor: User | None = None,
    *,
    name: str = "contract.pdf",
    content: bytes = PDF,
    description: str = "Signed contract",
) -> Attachment:
    return attachment_create(
        workspace=customer.workspace,
        actor=actor,
        data={"customer": customer, "file": upload(name, content), "description": description},
        via="test",
    )
