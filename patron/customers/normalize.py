"""Normalized forms of contact data, shared by validation, search and (later) matching."""

import unicodedata
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email

# An import of a million rows meets the same switchboard numbers and addresses again and
# again; each is checked once (a failed check raises and is not kept).
CACHED_VALUES = 65_536


@lru_cache(maxsize=CACHED_VALUES)
def normalize_email(value: str) -> str:
    """A syntactically valid address in lower case; ValidationError otherwise."""
    value = value.strip()
    if not value:
        return ""
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
