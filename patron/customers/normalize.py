"""Normalized forms of contact data, shared by validation, search and (later) matching."""

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

# An import of a million rows meets the same switchboard numbers and addresses again and
# again; each is checked once (a failed check raises and is not kept).
CACHED_VALUES = 65_536

# The plain addresses nearly every file holds, which email-validator accepts unchanged
# (but for the case of the domain): a dot-atom local part of letters, digits, _ + and -
# under its length limit, and a domain of letter-digit-hyphen labels (no "--": no
# Punycode, no reserved "ab--" label) ending in a letters-only top-level domain. Anything
# else goes to email-validator itself. test_normalize_email's property test holds the
# two to agreeing on every address this accepts.
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
    re.ASCII,
)
# email-validator refuses these domains and every domain under them.
RESERVED_ENDINGS = tuple(f".{name}" for name in SPECIAL_USE_DOMAIN_NAMES)


def _plain_email(value: str) -> bool:
    if len(value) > 254 or not PLAIN_EMAIL.fullmatch(value):
        return False
    at = value.index("@")
    domain = "." + value[at + 1 :].lower()
    return at <= 64 and "--" not in domain and not domain.endswith(RESERVED_ENDINGS)


@lru_cache(maxsize=CACHED_VALUES)
def normalize_email(value: str) -> str:
    """A syntactically valid address in lower case; ValidationError otherwise."""
    value = value.strip()
    if not value:
        return ""
    if _plain_email(value):
        return value.lower()
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(f"Enter a valid email address: {error}", code="invalid") from error
    return result.normalized.lower()


def parse_phone(value: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


@lru_cache(maxsize=CACHED_VALUES)
def normalize_phone(value: str, region: str) -> str:
    """The number in E.164 (+442079460018); ValidationError if it cannot be a phone number."""
    value = value.strip()
    if not value:
        return ""
    number = parse_phone(value, region)
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"“{value}” is not a valid phone number (numbers without + are read as {region}).",
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=CACHED_VALUES)
def display_phone(e164: str, region: str) -> str:
    """National format for numbers of the workspace's country code, international otherwise."""
    if not e164:
        return ""
    number = parse_phone(e164, region)
    if number is None:
        return e164
    if number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def name_key(*parts: str) -> str:
    """Lower-case, accent-free, single-spaced: "José  Núñez" -> "jose nunez"."""
    text = " ".join(part for part in parts if part)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def is_plain_number(text: str) -> bool:
    """Only the digits 0-9 ("²" and other Unicode digits pass str.isdigit but not int())."""
    return text.isascii() and text.isdigit()


# What a name key is made of; a typo is one of these wrong, missing, extra or two swapped.
NAME_KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyz -'"


def one_edit_away(key: str) -> tuple[set[str], set[str]]:
    """Every string one typo away from `key` (Damerau-Levenshtein distance 1): those made
    by a deletion or a swap of neighbours (few: 2n), then those by a substitution or an
    insertion (many: ~60n). `key` itself is in neither."""
    splits = [(key[:i], key[i:]) for i in range(len(key) + 1)]
    short = {a + b[1:] for a, b in splits if b}
    short |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    long = {a + c + b[1:] for a, b in splits if b for c in NAME_KEY_ALPHABET}
    long |= {a + c + b for a, b in splits for c in NAME_KEY_ALPHABET}
    short.discard(key)
    long -= short | {key}
    return short, long
