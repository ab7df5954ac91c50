"""What an upload must be: named safely, not empty, within the limit, and what it claims."""

import pytest
from django.core.exceptions import ValidationError

from patron.attachments import filetypes
from patron.attachments.uploads import MAX_NAME_LENGTH, check_upload, sanitize_filename
from patron.testing import files
from patron.testing.files import upload


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("C:\\Users\\ada\\contract.pdf", "contract.pdf"),
        ("quote\r\nX-Injected: yes.pdf", "quote X-Injected_ yes.pdf"),
        ("in\x00voice\x07.pdf", "invoice.pdf"),
        ("photo\u202egnp.exe", "photognp.exe"),  # no right-to-left override tricks
        ('a"b<c>|d?.txt', "a_b_c__d_.txt"),
        ("  ..hidden.txt. ", "hidden.txt"),
        ("..", "attachment"),
        ("", "attachment"),
        ("Café menu.pdf", "Café menu.pdf"),
    ],
)
def test_sanitize_filename(raw, clean):
    assert sanitize_filename(raw) == clean


def test_long_names_are_cut_before_the_extension():
    name = sanitize_filename("x" * 500 + ".docx")
    assert len(name) == MAX_NAME_LENGTH and name.endswith("xx.docx")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("contract.pdf", files.PDF, filetypes.PDF),
        ("logo.png", files.image("PNG"), filetypes.PNG),
        ("photo.JPG", files.image("JPEG"), filetypes.JPEG),
        ("photo.jpeg", files.image("JPEG"), filetypes.JPEG),
        ("anim.gif", files.image("GIF"), filetypes.GIF),
        ("pic.webp", files.image("WEBP"), filetypes.WEBP),
        ("letter.docx", files.office("docx"), filetypes.DOCX),
        ("prices.xlsx", files.office("xlsx"), filetypes.XLSX),
        ("pitch.pptx", files.office("pptx"), filetypes.PPTX),
        ("letter.odt", files.opendocument("text"), filetypes.ODT),
        ("prices.ods", files.opendocument("spreadsheet"), filetypes.ODS),
        ("notes.txt", files.TEXT, filetypes.TEXT),
        ("list.csv", files.CSV, filetypes.CSV),
        ("mail.eml", files.EMAIL, filetypes.EMAIL),
    ],
)
def test_accepted_kinds_are_recognized_by_content(name, content, kind):
    checked = check_upload(upload(name, content, content_type="application/x-whatever"))
    assert (checked.kind, checked.name, checked.size) == (kind, name, len(content))


def test_a_name_without_extension_gets_its_kinds():
    assert check_upload(upload("scan", files.PDF)).name == "scan.pdf"


def refusal(name: str, content: bytes, content_type: str = "application/pdf") -> str:
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, content, content_type))
    return " ".join(refused.value.message_dict["file"])


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("invoice.pdf", files.WINDOWS_PROGRAM, "Windows program"),
        ("setup.exe", files.WINDOWS_PROGRAM, "Windows program"),
        ("photo.png", files.HTML, "web page"),
        ("page.html", files.HTML, "web page"),
        ("logo.svg", files.SVG, "web page or XML/SVG"),
        ("notes.txt", b"  <html><body>hi</body></html>", "web page"),
        ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "script"),
        ("archive.zip", files.plain_zip(), "ZIP archive, not an office document"),
        ("letter.docx", files.plain_zip(), "ZIP archive, not an office document"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 50, "damaged"),
        (
            "macro.docx",
            files.office("docx", extra={"word/vbaProject.bin": b"\x00"}),
            "macros",
        ),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-format Office"),
        ("data.txt", b"abc\x00def", "binary"),
        ("latin1.csv", "caf\xe9".encode("latin-1"), "UTF-8"),
        ("fake.eml", b"hello, this is no email\n", "not an email message"),
    ],
)
def test_refused_content_is_named(name, content, says):
    assert says in refusal(name, content)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("photo.jpg", files.image("PNG"), "is a PNG image, but its name ends in .jpg"),
        ("contract.docx", files.PDF, "is a PDF document, but its name ends in .docx"),
        ("notes.exe", files.TEXT, "is a text file, but its name ends in .exe"),
        ("letter.odt", files.office("docx"), "is a Word document, but its name ends in .odt"),
    ],
)
def test_the_extension_must_fit_the_content(name, content, says):
    assert says in refusal(name, content)


def test_empty_and_too_large_files_are_refused(settings):
    assert "“empty.pdf” is empty" in refusal("empty.pdf", b"")
    settings.PATRON_ATTACHMENT_MAX_BYTES = 1_048_576
    message = refusal("big.pdf", files.PDF + b"\x00" * 1_048_576)
    assert "“big.pdf” is 1.0 MB; the largest file accepted is 1.0 MB" in message


def test_default_limit_is_25_mb(settings):
    assert settings.PATRON_ATTACHMENT_MAX_BYTES == 25 * 1024 * 1024
