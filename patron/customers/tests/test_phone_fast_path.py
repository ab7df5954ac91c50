"""normalize_phone's and display_phone's fast path for well-formed numbers agrees with
phonenumbers.

The fast path only ever accepts: whatever it takes must be a number phonenumbers parses
as possible and valid for the region, with the same E.164 form and the same national
display. Everything else is phonenumbers' to judge (the functions fall back to it), so a
refusal by the fast path proves nothing; but it must take the plain numbers files hold,
or it saves nothing.
"""

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from patron.customers.normalize import _plain_phone, display_phone, normalize_phone

REGIONS = ["GB", "US", "CA", "JE", "IE", "DE", "FR", "IT", "ES", "NL", "AU", "BR", "IN", "JP"]
TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.UAN,
    PhoneNumberType.PAGER,
]


def library(value: str, region: str) -> tuple[str, str] | None:
    """phonenumbers' own verdict, as normalize_phone and display_phone used it alone:
    (E.164, display) of a possible and valid number, None otherwise."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)):
        return None
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    stored = phonenumbers.parse(e164, region)
    if stored.country_code == phonenumbers.country_code_for_region(region):
        shown = phonenumbers.format_number(stored, PhoneNumberFormat.NATIONAL)
    else:
        shown = phonenumbers.format_number(stored, PhoneNumberFormat.INTERNATIONAL)
    return e164, shown


def check(value: str, region: str) -> bool:
    """The fast path's answer, if it gives one, is the library's. Whether it gave one."""
    fast = _plain_phone(value, region)
    if fast is not None:
        assert library(value, region) == fast, (value, region)
        assert _plain_phone(fast[0], region) in (None, fast), (value, region)
        # What the functions answer, display_phone from what normalize_phone kept aside.
        assert normalize_phone(value, region) == fast[0]
        assert display_phone(fast[0], region) == fast[1]
    return fast is not None


def examples(region: str) -> list[str]:
    found = []
    for kind in TYPES:
        number = phonenumbers.example_number_for_type(region, kind)
        if number is not None:
            found.append(str(number.national_number))
    return found


# A region's example numbers with their last digits changed, written the ways files do.
@st.composite
def written_numbers(draw) -> tuple[str, str]:
    region = draw(st.sampled_from(REGIONS))
    national = draw(st.sampled_from(examples(region)))
    keep = draw(st.integers(min_value=0, max_value=len(national)))
    tail = draw(st.text(alphabet="0123456789", min_size=0, max_size=len(national) - keep + 2))
    digits = national[:keep] + tail
    code = str(phonenumbers.country_code_for_region(region))
    prefix = draw(st.sampled_from(["", "0", "1", "+" + code, "+" + code + "0", "00" + code, code]))
    usual = draw(st.booleans())  # as most files write them: single spaces or hyphens
    between = ["", "", " ", "-"] if usual else ["", " ", "-", "  ", ".", "/"]
    separators = draw(
        st.lists(st.sampled_from(between), min_size=len(digits), max_size=len(digits))
    )
    written = "".join(
        digit + separator for digit, separator in zip(digits, separators, strict=True)
    )
    joiner = draw(st.sampled_from(["", " ", "-"]))
    return f"{prefix}{joiner}{written}".strip(" -."), region


@pytest.mark.parametrize("region", REGIONS)
def test_example_numbers_agree_in_every_format(region):
    taken = 0
    for national in examples(region):
        number = phonenumbers.parse(national, region)
        for style in (PhoneNumberFormat.E164, PhoneNumberFormat.NATIONAL):
            taken += check(phonenumbers.format_number(number, style), region)
        check(phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL), region)
        check(national, region)
    if region in ("GB", "US", "DE", "FR", "IE"):
        assert taken >= len(examples(region))  # the fast path serves the usual numbers


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(written_numbers())
@example(("020 7946 0018", "GB"))
@example(("+44 20 7946 0018", "GB"))
@example(("07911 123456", "GB"))
@example(("+44 07911 123456", "GB"))
@example(("0044 7911 123456", "GB"))
@example(("447911123456", "GB"))
@example(("01534 456789", "JE"))
def test_written_numbers_agree(case):
    check(*case)


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(st.text(alphabet="0123456789 +-", max_size=22), st.sampled_from(REGIONS))
def test_any_digits_agree(value, region):
    check(value, region)


# As UK files write them: the fast path must take these, and give the library's answer.
WRITTEN_IN_THE_UK = [
    "020 7946 0018", "+44 20 7946 0018", "+442079460018", "0113 249 6000", "07123 456789",
    "07911 023456", "07911-123456", "+44 7400 123456", "0800 123 4567", "0345 600 1234",
    "01534 456789",  # Jersey's: valid as +44, and shown as Great Britain shows +44
]  # fmt: skip


@pytest.mark.parametrize("value", WRITTEN_IN_THE_UK)
def test_plain_uk_numbers_take_the_fast_path(value):
    assert library(value, "GB") is not None
    assert check(value, "GB")


def test_the_functions_answer_as_before():
    assert normalize_phone("020 7946 0018", "GB") == "+442079460018"
    assert normalize_phone("07911 123456", "GB") == "+447911123456"
    assert display_phone("+447911123456", "GB") == "07911 123456"
    assert display_phone("+442079460018", "GB") == "020 7946 0018"
    assert display_phone("+4930901820", "GB") == "+49 30 901820"
    assert normalize_phone("+49 30 901820", "GB") == "+4930901820"
    with pytest.raises(Exception, match="not a valid phone number"):
        normalize_phone("12", "GB")
