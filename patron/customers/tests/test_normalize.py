"""normalize_email's fast path for plain addresses agrees with email-validator.

The fast path only ever accepts: whatever it takes must be an address email-validator
accepts, with the same stored form. Everything else is email-validator's to judge, so a
refusal by the fast path proves nothing and is not tested here.
"""

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from patron.customers.normalize import _plain_email, normalize_email


def library(value: str) -> str | None:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


# Addresses as files hold them, and the near misses the fast path must not take.
REAL_WORLD = [
    "person123@example.com",
    "Jane.Doe@Example.CO.UK",
    "j_smith+news@mail.sub-domain.org",
    "o-brien@x.io",
    "a@b.cd",
    "x@localhost.localdomain",
    "x@my.local",
    "x@printer.LOCAL",
    "x@site.test",
    "x@host.onion",
    "x@1.0.0.127.in-addr.arpa",
    "x@invalid",
    "x@example",
    "x@xn--bcher-kva.ch",
    "x@ab--cd.com",
    "x@-dash.com",
    "x@dash-.com",
    "x@a..com",
    "x@a.123",
    ".x@a.com",
    "x.@a.com",
    "x..y@a.com",
    "a" * 64 + "@example.com",
    "a" * 65 + "@example.com",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "a@" + ".".join(["b" * 60] * 4) + ".com",
    "user@domain.c",
    "user@dömäin.com",
    "üser@domain.com",
    '"quoted"@domain.com',
    "a@b@c.com",
    "a b@c.com",
    "person@example.com ",
]
LOCAL = st.text(alphabet="abcXYZ019_+-.!#%'", min_size=1, max_size=70)
LABEL = st.text(alphabet="abZ09-x", min_size=1, max_size=66)
DOMAIN = st.lists(LABEL, min_size=1, max_size=5).map(".".join)
TLD = st.sampled_from(["com", "uk", "c", "c0", "test", "local", "arpa", "onion", "xn--p1ai"])
SHAPED = st.builds(lambda local, domain, tld: f"{local}@{domain}.{tld}", LOCAL, DOMAIN, TLD)


@pytest.mark.parametrize("value", REAL_WORLD)
def test_fast_path_takes_only_what_the_library_takes(value):
    if _plain_email(value):
        assert library(value) == value.lower()


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.one_of(SHAPED, st.emails(), st.text(alphabet="ab0.-@_", max_size=20)))
@example("person123@example.com")
def test_fast_path_agrees_with_the_library(value):
    if _plain_email(value):
        assert library(value) == value.lower()


def test_normalize_email_stores_the_same_form_either_way():
    assert normalize_email("  Jane.Doe@Example.CO.UK ") == "jane.doe@example.co.uk"
    assert normalize_email("Jürgen@Bücher.example") == library("Jürgen@Bücher.example")
    with pytest.raises(Exception, match="special-use or reserved"):
        normalize_email("someone@printer.local")
    with pytest.raises(Exception, match="valid email address"):
        normalize_email("person7@")
