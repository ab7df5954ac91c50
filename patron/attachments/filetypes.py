"""What an uploaded file is, judged by its content, never by its name or the client's header.

Only the kinds in ALLOWED are accepted. Each is recognized positively: a signature for
images and PDF, the package structure for office files (OOXML's [Content_Types].xml main
part, ODF's `mimetype` entry), and for text, UTF-8 without NULs that a browser would not
sniff as a page. Anything else is refused with what it looks like, so a program renamed
.pdf or a page renamed .png never gets in.

Written over the standard library rather than puremagic or filetype: their stream APIs
name a ZIP a Word or PowerPoint file without opening it, and the allow-list needs exactly
that structure check.
"""

import codecs
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import ValidationError

HEAD_BYTES = 4096
# ZIP-based files: more members or a larger [Content_Types].xml than this is not an office
# document a person attaches; refusing it bounds the work an upload can cause.
MAX_ZIP_MEMBERS = 10_000
MAX_CONTENT_TYPES_BYTES = 1_048_576


@dataclass(frozen=True)
class FileKind:
    """An accepted kind of file: what people call it, its media type, its extensions."""

    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF document", "application/pdf", (".pdf",))
PNG = FileKind("PNG image", "image/png", (".png",))
JPEG = FileKind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = FileKind("GIF image", "image/gif", (".gif",))
WEBP = FileKind("WebP image", "image/webp", (".webp",))
DOCX = FileKind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = FileKind(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = FileKind(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
ODT = FileKind("OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileKind(
    "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)
)
ODP = FileKind(
    "OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", (".odp",)
)
TEXT = FileKind("text file", "text/plain", (".txt",))
CSV = FileKind("CSV file", "text/csv", (".csv",))
EMAIL = FileKind("email message", "message/rfc822", (".eml",))

ALLOWED = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, TEXT, CSV, EMAIL)
ACCEPTED_EXTENSIONS = tuple(ext for kind in ALLOWED for ext in kind.extensions)
KIND_BY_CONTENT_TYPE = {kind.content_type: kind for kind in ALLOWED}

_SIGNATURES = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
]
# The main part's content type in [Content_Types].xml names the OOXML document.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_ODF = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
# What refused files look like, to say so (first match wins).
_REFUSED_SIGNATURES = [
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xca\xfe\xba\xbe", "a program (Mach-O or Java)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"#!", "a script"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old-format Office file (.doc, .xls, .ppt or .msg); save it as .docx, .xlsx or .pptx",
    ),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
]
# The WHATWG MIME Sniffing standard's "text/html" and XML patterns: text that starts like
# this (after blanks) a browser may treat as a page, so it is refused rather than kept.
_MARKUP = re.compile(
    rb"^[\t\n\x0c\r ]*(?:"
    rb"<(?:!DOCTYPE\s+HTML|HTML|HEAD|SCRIPT|IFRAME|H1|DIV|FONT|TABLE|A|STYLE|TITLE|B|BODY"
    rb"|BR|P|SVG|MATH|OBJECT|EMBED)[\s>/]"
    rb"|<!--|<\?xml)",
    re.IGNORECASE,
)
# An RFC 5322 header line: printable ASCII name, a colon.
_HEADER = re.compile(rb"^[!-9;-~]+:")


def refuse(message: str, code: str = "type_not_allowed") -> ValidationError:
    return ValidationError(message, code=code)


def detect(file: BinaryIO, extension: str) -> FileKind:
    """The accepted kind `file` is; ValidationError saying what it is otherwise.

    `extension` (".csv", lower case) only chooses between the kinds of text, which share
    their content; it never makes a file of another content acceptable.
    """
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    for signature, what in _REFUSED_SIGNATURES:
        if head.startswith(signature):
            raise refuse(f"The file is {what}, which cannot be attached.")
    return _text_kind(file, head, extension)


def _zip_kind(file: BinaryIO) -> FileKind:
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise refuse("The file is a ZIP archive with too many entries.")
            names = {member.filename for member in members}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise refuse("The file contains macros; save it without them (.docx, .xlsx).")
            if members and members[0].filename == "mimetype":
                kind = _ODF.get(archive.read(members[0])[:100].decode("ascii", "replace"))
                if kind:
                    return kind
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > MAX_CONTENT_TYPES_BYTES:
                    raise refuse("The file is a damaged office document.")
                types = archive.read(info).decode("utf-8", "replace")
                if "macroEnabled" in types:
                    raise refuse("The file contains macros; save it without them.")
                for main, kind in _OOXML_MAIN.items():
                    if f'ContentType="{main}"' in types:
                        return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        raise refuse("The file looks like a ZIP archive but is damaged.") from error
    except NotImplementedError as error:  # an unknown compression or encryption
        raise refuse("The file is a ZIP archive that cannot be read.") from error
    finally:
        file.seek(0)
    raise refuse(
        "The file is a ZIP archive, not an office document; attach the files in it instead."
    )


def _text_kind(file: BinaryIO, head: bytes, extension: str) -> FileKind:
    if extension == ".eml":
        return _email_kind(file, head)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for chunk in iter(lambda: file.read(65536), b""):
            if b"\x00" in chunk:
                raise refuse("The file is not text nor any accepted type (it is binary).")
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise refuse(
            "The file is not any accepted type (if it is text, save it as UTF-8)."
        ) from error
    finally:
        file.seek(0)
    if _MARKUP.match(head.removeprefix(codecs.BOM_UTF8)):
        raise refuse("The file is a web page or XML/SVG, which cannot be attached.")
    return CSV if extension == ".csv" else TEXT


def _email_kind(file: BinaryIO, head: bytes) -> FileKind:
    """An .eml file: header lines first (any charset in the body), with From or Date."""
    header_block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    lines = header_block.splitlines()
    names = {line.split(b":", 1)[0].lower() for line in lines if _HEADER.match(line)}
    looks_like_mail = bool(lines) and _HEADER.match(lines[0]) and names & {b"from", b"date"}
    if not looks_like_mail or _contains_nul(file):
        raise refuse("The file is not an email message, though its name ends in .eml.")
    return EMAIL


def _contains_nul(file: BinaryIO) -> bool:
    try:
        return any(b"\x00" in chunk for chunk in iter(lambda: file.read(65536), b""))
    finally:
        file.seek(0)
