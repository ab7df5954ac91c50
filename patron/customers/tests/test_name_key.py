"""name_key's shortcut for ASCII text gives the key its Unicode path gives."""

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from patron.customers.normalize import name_key


def unicode_path(*parts: str) -> str:
    """name_key as it is written for any text: NFKD, combining marks dropped, casefold."""
    text = " ".join(part for part in parts if part)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


@given(st.lists(st.text(st.characters(max_codepoint=127)), max_size=3))
@example(["  Mc\tDONALD ", "", "o'Brien-Smith\x1c\x1f x"])
def test_ascii_names_give_the_key_of_the_unicode_path(parts):
    assert name_key(*parts) == unicode_path(*parts)


@given(st.lists(st.text(), max_size=3))
@example(["José  Núñez", "\uff21\uff22", "Straße"])  # fullwidth letters
def test_other_names_go_the_unicode_path(parts):
    assert name_key(*parts) == unicode_path(*parts)


def test_a_key_is_lower_case_accent_free_and_single_spaced():
    assert name_key("José  Núñez") == "jose nunez"
    assert name_key(" Ada ", "", "LOVELACE") == "ada lovelace"
