"""Normalized forms of contact data, shared by validation, search and (later) matching."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

# An import of a million rows meets the same switchboard numbers and addresses again and
# again; each is checked once (a failed check raises and is not kept). The most recent
# 16,384 of each are kept: 65,536 held some 50 MB more in each of the import's two
# processes once full, which an import of updates reached in its last 100,000 rows.
CACHED_VALUES = 16_384

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


# The numbers nearly every file holds: ASCII digits in groups separated by one space or
# hyphen, with "+" before an international one. For the workspace's own country (when it
# is the main region of its calling code), such a number is read, checked and formatted
# here with phonenumbers' own metadata and rules, without its general parser: the steps
# of `phonenumbers.parse` that could apply to it (international or national prefix,
# country code, lengths) are done the same way, and anything else (another country, a
# prefix phonenumbers would have to weigh, letters, an extension...) goes to
# phonenumbers itself. test_phone_fast_path's property test holds the two to agreeing.
PLAIN_PHONE = re.compile(r"(\+?)([0-9]+(?:[ -][0-9]+)*)", re.ASCII)
PHONE_SEPARATORS = str.maketrans("", "", " -")


@dataclass(frozen=True)
class _Validity:
    """phonenumbers' test of a national number for one region: its type is not UNKNOWN
    (the general description and some type's description fit, lengths and pattern)."""

    leading: re.Pattern | None  # a region sharing its calling code by leading digits
    lengths: frozenset[int]
    general: re.Pattern
    types: dict[int, re.Pattern]  # by length: the descriptions of that length, as one

    def __call__(self, national: str) -> bool:
        pattern = self.types.get(len(national))
        return (
            pattern is not None
            and len(national) in self.lengths
            and self.general.fullmatch(national) is not None
            and pattern.fullmatch(national) is not None
        )


def _validity(metadata) -> _Validity | None:
    general = metadata.general_desc
    if general is None or not general.national_number_pattern or not general.possible_length:
        return None
    descriptions = [
        metadata.premium_rate, metadata.toll_free, metadata.shared_cost, metadata.voip,
        metadata.personal_number, metadata.pager, metadata.uan, metadata.voicemail,
        metadata.fixed_line,
    ]  # fmt: skip
    if not metadata.same_mobile_and_fixed_line_pattern:
        descriptions.append(metadata.mobile)
    types = {}
    for length in general.possible_length:
        patterns = [
            description.national_number_pattern
            for description in descriptions
            if description is not None
            and description.national_number_pattern
            and (not description.possible_length or length in description.possible_length)
        ]
        if patterns:
            types[length] = re.compile("|".join(f"(?:{pattern})" for pattern in patterns))
    leading = metadata.leading_digits
    return _Validity(
        leading=re.compile(leading) if leading else None,
        lengths=frozenset(general.possible_length),
        general=re.compile(general.national_number_pattern),
        types=types,
    )


# A format's rule made a str.format() template: "0\1 \2" -> "0{0} {1}".
GROUP_REFERENCE = re.compile(r"\\([1-9])")


@dataclass(frozen=True)
class _Country:
    code: str  # the calling code, as digits
    international_prefix: re.Pattern | None  # "00": a number dialled abroad
    national_prefix: re.Pattern | None  # "0": stripped from a number dialled at home
    local_only: frozenset[int]  # lengths phonenumbers would not strip a prefix to
    # The region's own test, then those of the regions sharing its code, in
    # phonenumbers' order (region_code_for_number): Guernsey's mobiles are +44 too.
    validity: tuple[_Validity, ...]
    # (leading digits, pattern, template) of each national format, in the metadata's order.
    formats: tuple[tuple[re.Pattern | None, re.Pattern, str], ...]

    def valid(self, national: str) -> bool:
        """phonenumbers' is_valid_number for a national number of this calling code."""
        for region in self.validity:
            if region.leading is not None:
                if region.leading.match(national):
                    return region(national)
            elif region(national):
                return True
        return False

    def national_format(self, national: str) -> str | None:
        """phonenumbers' NATIONAL format (None if it is not sure to be the same)."""
        for leading, pattern, template in self.formats:
            if (leading is None or leading.match(national)) and pattern.fullmatch(national):
                matched = pattern.match(national)  # the first match re.sub would replace
                if matched is None or matched.end() != len(national) or None in matched.groups():
                    return None
                return template.format(*matched.groups())
        return national


@lru_cache(maxsize=64)
def _country(region: str) -> _Country | None:
    """The region's metadata as the fast path needs it; None where it does not apply."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None or metadata.leading_digits is not None:
        return None
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code, ())
    if not regions or regions[0] != region:  # e.g. Jersey: +44 is Great Britain's first
        return None
    if metadata.national_prefix_transform_rule:
        return None
    national_prefix = None
    if metadata.national_prefix_for_parsing:
        national_prefix = re.compile(metadata.national_prefix_for_parsing)
        if national_prefix.groups:  # a carrier code phonenumbers would weigh
            return None
    validity = []
    for name in regions:
        shared = phonenumbers.PhoneMetadata.metadata_for_region(name, None)
        test = _validity(shared) if shared is not None else None
        if test is None:
            return None
        validity.append(test)
    formats = []
    for number_format in metadata.number_format:
        rule = number_format.format
        if number_format.national_prefix_formatting_rule:
            rule = re.sub(
                phonenumbers.phonenumberutil._FIRST_GROUP_PATTERN,
                number_format.national_prefix_formatting_rule,
                rule,
                count=1,
            )
        pattern = re.compile(number_format.pattern)
        plain_rule = re.fullmatch(r"(?:[^\\{}]|\\[1-9])*", rule)
        if not plain_rule or pattern.match("") is not None:
            return None  # not a rule the template reproduces exactly
        groups = [int(number) for number in GROUP_REFERENCE.findall(rule)]
        if any(number > pattern.groups for number in groups):
            return None
        template = GROUP_REFERENCE.sub(lambda m: "{" + str(int(m[1]) - 1) + "}", rule)
        leading = number_format.leading_digits_pattern
        formats.append((re.compile(leading[-1]) if leading else None, pattern, template))
    international = metadata.international_prefix
    general = metadata.general_desc
    return _Country(
        code=str(metadata.country_code),
        international_prefix=re.compile(international) if international else None,
        national_prefix=national_prefix,
        local_only=frozenset(general.possible_length_local_only),
        validity=tuple(validity),
        formats=tuple(formats),
    )


def _plain_phone(value: str, region: str) -> tuple[str, str] | None:
    """(E.164, national display) of a well-formed valid number of the region's own
    country, exactly as phonenumbers gives them; None for anything else (phonenumbers
    decides those)."""
    matched = PLAIN_PHONE.fullmatch(value)
    if matched is None or (country := _country(region)) is None:
        return None
    plus, digits = matched.groups()
    digits = digits.translate(PHONE_SEPARATORS)
    if len(digits) > 20:
        return None
    if plus:
        if not digits.startswith(country.code):
            return None  # another country's number (calling codes are prefix-free)
        national = digits[len(country.code) :]
        if country.national_prefix is not None and country.national_prefix.match(national):
            return None  # "+44 0...": phonenumbers weighs stripping it
    else:
        if digits.startswith(country.code) or (
            country.international_prefix is not None and country.international_prefix.match(digits)
        ):
            return None  # maybe dialled with the country code or from abroad
        national = digits
        if country.national_prefix is not None and (
            prefix := country.national_prefix.match(digits)
        ):
            national = digits[prefix.end() :]
            if len(national) in country.local_only:
                return None
    if not national or national[0] == "0" or not 2 <= len(national) <= 17:
        return None
    # The number is parsed as the region's (its general pattern fits, so the prefix is
    # stripped; is_possible_number's lengths are the region's) and valid somewhere.
    main = country.validity[0]
    if len(national) not in main.lengths or not main.general.fullmatch(national):
        return None
    if not country.valid(national) or (shown := country.national_format(national)) is None:
        return None
    return f"+{country.code}{national}", shown


def parse_phone(value: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


# The national display of the numbers the fast path normalized lately, by (E.164, region):
# the same as display_phone's (test_phone_fast_path holds it), without reading them again.
_DISPLAYED: dict[tuple[str, str], str] = {}


@lru_cache(maxsize=CACHED_VALUES)
def normalize_phone(value: str, region: str) -> str:
    """The number in E.164 (+442079460018); ValidationError if it cannot be a phone number."""
    value = value.strip()
    if not value:
        return ""
    if plain := _plain_phone(value, region):
        if len(_DISPLAYED) >= CACHED_VALUES:
            _DISPLAYED.clear()
        _DISPLAYED[plain[0], region] = plain[1]  # History shows it next, most likely
        return plain[0]
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
    if (shown := _DISPLAYED.get((e164, region))) is not None:
        return shown
    if plain := _plain_phone(e164, region):
        return plain[1]
    number = parse_phone(e164, region)
    if number is None:
        return e164
    if number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def name_key(*parts: str) -> str:
    """Lower-case, accent-free, single-spaced: "José  Núñez" -> "jose nunez"."""
    text = " ".join(part for part in parts if part)
    if text.isascii():  # the usual case: NFKD changes no ASCII character, none combines
        return " ".join(text.lower().split())
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
