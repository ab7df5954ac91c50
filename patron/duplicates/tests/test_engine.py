"""The engine on plain dicts: each kind of difference a person makes when typing a customer."""

from datetime import date

import pytest

from patron.duplicates import engine

JANE = {
    "id": 1,
    "first_name": "Jane",
    "last_name": "Whitfield",
    "date_of_birth": date(1980, 2, 9),
    "address_1": "44 Forbes Street",
    "city": "Leeds",
    "postcode": "LS1 4AB",
}


def score(a: dict, b: dict) -> engine.Match:
    return engine.compare(engine.prepare(a), engine.prepare(b))


def test_the_same_customer_typed_twice_scores_near_one_with_reasons():
    match = score(JANE, dict(JANE, id=2))
    assert match.score > 0.99
    assert "same surname" in match.reasons
    assert "same date of birth" in match.reasons
    assert (match.a, match.b) == (1, 2)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"last_name": "Whitfeild"}, "surname 1 typo"),  # transposed letters
        ({"last_name": "Whitfied"}, "surname 1 typo"),  # a letter left out
        ({"first_name": "Jnae"}, "first name 1 typo"),
        ({"first_name": "J."}, "initial matches"),
        ({"first_name": "Whitfield", "last_name": "Jane"}, "first and last names swapped"),
        ({"date_of_birth": date(1980, 9, 2)}, "date of birth with day and month swapped"),
        ({"date_of_birth": "1980-02-08"}, "date of birth 1 digit off"),
        ({"postcode": "LS1 4BA"}, "postcode 1 typo"),
        ({"address_1": "44 Forbes St"}, "same street address"),  # abbreviation spelled out
        ({"first_name": "Jané", "last_name": "WHITFIELD"}, "same surname"),  # accents, case
    ],
)
def test_a_typing_difference_still_reads_as_a_duplicate_and_says_why(change, reason):
    match = score(JANE, dict(JANE, id=2, **change))
    assert match.score >= engine.THRESHOLD
    assert reason in match.reasons


def test_nicknames_match_their_full_name():
    bill = {"id": 1, "first_name": "Bill", "last_name": "Ward", "email": "bw@example.com"}
    william = dict(bill, id=2, first_name="William")
    match = score(bill, william)
    assert "nickname (bill/william)" in match.reasons
    assert match.score > 0.95


def test_same_email_or_phone_is_strong_evidence():
    a = {"id": 1, "first_name": "Sam", "last_name": "Okafor", "email": "sam@example.com"}
    b = {"id": 2, "first_name": "Samuel", "last_name": "Okafor", "email": "SAM@example.com"}
    assert "same email" in score(a, b).reasons
    c = {"id": 3, "last_name": "Okafor", "mobile_phone": "+447700900123"}
    d = {"id": 4, "last_name": "Okafor", "mobile_phone": "+44 7700 900123"}
    assert "same phone" in score(c, d).reasons
    assert score(c, d).score >= engine.THRESHOLD


def test_different_people_with_a_common_surname_are_not_proposed():
    other = {
        "id": 2,
        "first_name": "Robert",
        "last_name": "Whitfield",
        "date_of_birth": date(1951, 7, 30),
        "address_1": "3 Mill Lane",
        "city": "York",
        "postcode": "YO1 7HH",
    }
    match = score(JANE, other)
    assert match.score < 0.1
    assert "different first name" in match.reasons
    assert "different date of birth" in match.reasons


def test_a_person_and_an_organization_are_never_duplicates():
    firm = {"id": 2, "kind": "organization", "company_name": "Whitfield"}
    assert score(dict(JANE, last_name="Whitfield"), firm).score == 0


def test_organizations_compare_their_names_without_legal_suffixes():
    a = {"id": 1, "kind": "organization", "company_name": "Acme Widgets Ltd", "postcode": "M1 1AA"}
    b = {"id": 2, "kind": "organization", "company_name": "ACME Widgets Limited"}
    assert score(a, b).reasons[0] == "same name"
    assert score(a, b).score >= engine.THRESHOLD


def test_blocking_compares_only_records_that_share_a_key_and_each_pair_once():
    records = [
        engine.prepare(
            dict(
                JANE,
                id=n,
                first_name=f"Given{n}",
                last_name=f"Surname{n}",
                date_of_birth=date(1000 + 10 * n, 1, 1),
                address_1=f"{n} Road {n}",
                city=f"Town{n}",
                postcode=f"P{n}",
            )
        )
        for n in range(200)
    ]
    records.append(engine.prepare(dict(JANE, id=1000)))
    records.append(engine.prepare(dict(JANE, id=1001, last_name="Whitfeild")))
    pairs = list(engine.candidate_pairs(records))
    ids = [tuple(sorted((a.id, b.id))) for a, b in pairs]
    assert (1000, 1001) in ids
    assert len(ids) == len(set(ids))  # shared by several keys, compared once
    assert len(ids) < 200  # nowhere near the 20,301 pairs of all against all


def test_a_block_too_big_to_say_anything_is_passed_over():
    crowd = [engine.prepare({"id": n, "last_name": "Smith", "postcode": "AB1"}) for n in range(5)]
    assert len(list(engine.candidate_pairs(crowd, max_block=10))) == 10
    assert list(engine.candidate_pairs(crowd, max_block=4)) == []


def test_find_duplicates_leaves_out_pairs_already_judged():
    records = [engine.prepare(JANE), engine.prepare(dict(JANE, id=2))]
    assert [(m.a, m.b) for m in engine.find_duplicates(records)] == [(1, 2)]
    assert list(engine.find_duplicates(records, exclude=lambda a, b: (a, b) == (1, 2))) == []
