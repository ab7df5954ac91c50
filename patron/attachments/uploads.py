"""What an upload must be before it is kept: named safely, not empty, not too large, and of
an accepted kind whose extension fits its content.
"""

import os
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from patron.attachments.filetypes import ACCEPTED_EXTENSIONS, FileKind, detect

MAX_NAME_LENGTH = 200
# Characters that name a path or are refused by some file system (Windows' list).
_UNSAFE = set('/\\:*?"<>|')


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    name: str
    kind: FileKind
    size: int


def sanitize_filename(raw: str) -> str:
    """A file name safe to store and to offer back in a download.

    Only the last path part is kept (either slash), control and format characters (CR,
    LF, NUL, right-to-left overrides) are dropped, unsafe characters become "_", leading
    and trailing dots and blanks go, and a long name is cut before its extension.
    """
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        "_" if char in _UNSAFE else " " if char.isspace() else char
        for char in name
        if unicodedata.category(char) not in {"Cc", "Cf"} or char in "\t\n\r"
    )
    name = " ".join(name.split()).strip(". ")
    stem, extension = os.path.splitext(name)
    if len(extension) > 16:  # not an extension: part of the name
        stem, extension = name, ""
    stem = stem[: MAX_NAME_LENGTH - len(extension)].rstrip(". ") or "attachment"
    return stem + extension


def check_upload(file: UploadedFile | None) -> CheckedUpload:
    """Refuse, with a message naming the problem, anything that must not be kept.

    A file without an extension gets its kind's; one whose extension names another kind
    is refused, e.g. a program renamed .pdf or a PNG named .jpg.
    """
    if file is None:
        raise ValidationError({"file": "Choose a file to attach."}, code="required")
    name = sanitize_filename(getattr(file, "name", "") or "")
    size = file.size or 0
    limit = settings.PATRON_ATTACHMENT_MAX_BYTES
    if size == 0:
        raise ValidationError({"file": f"“{name}” is empty."}, code="empty")
    if size > limit:
        raise ValidationError(
            {
                "file": f"“{name}” is {_megabytes(size)}; the largest file accepted is "
                f"{_megabytes(limit)}."
            },
            code="too_large",
        )
    extension = os.path.splitext(name)[1].lower()
    try:
        kind = detect(file, extension)
    except ValidationError as refused:
        accepted = ", ".join(ACCEPTED_EXTENSIONS)
        raise ValidationError(
            {"file": f"“{name}”: {refused.messages[0]} Accepted: {accepted}."},
            code=refused.code,
        ) from refused
    if not extension:
        name = name[: MAX_NAME_LENGTH - len(kind.extensions[0])] + kind.extensions[0]
    elif extension not in kind.extensions:
        raise ValidationError(
            {
                "file": f"“{name}” is a {kind.label}, but its name ends in {extension}; "
                f"name it {' or '.join(kind.extensions)}."
            },
            code="extension_mismatch",
        )
    return CheckedUpload(file=file, name=name, kind=kind, size=size)


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"
