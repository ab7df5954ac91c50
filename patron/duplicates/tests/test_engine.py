"""The engine on plain dicts: each kind of difference a person makes when typing a customer."""

import random
from collections import defaultdict
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


def crowd(size: int, seed: int = 6) -> list[engine.Record]:
    """Customers drawn from few names, towns, postcodes and birthdays, so that many share
    keys (some blocks grow past their limit), a tenth of them copies with a typo."""
    rng = random.Random(seed)
    rows = []
    for n in range(size):
        if n % 10 == 9:
            row = dict(rows[rng.randrange(n - 1)], id=n)
            row["last_name"] = row["last_name"][:-1]
        else:
            row = {
                "id": n,
                "first_name": rng.choice(["Ann", "Bill", "William", "Cara", "Dev"]),
                "last_name": rng.choice(["Smith", "Smyth", "Jones", "Patel", "Okafor", "Lee"]),
                "date_of_birth": date(1980, rng.randint(1, 2), rng.randint(1, 3)),
                "address_1": f"{rng.randint(1, 9)} Mill Lane",
                "city": rng.choice(["Leeds", "York"]),
                "postcode": rng.choice(["LS1 4AB", "YO1 7HH", "LS2 9JT"]),
                "mobile_phone": f"+4477009000{rng.randint(0, 60):02d}",
            }
        rows.append(row)
    return [engine.prepare(row) for row in rows]


def test_blocking_gives_each_pair_sharing_a_usable_key_exactly_once():
    records = crowd(400)
    blocks = defaultdict(list)
    for record in records:
        for pass_no, keys in enumerate(record.keys):
            for key in keys:
                blocks[pass_no, key].append(record.id)
    limits = [20 if name in engine.BROAD_PASSES else 100 for name in engine.PASSES]
    expected = {
        (a, b)
        for (pass_no, _), members in blocks.items()
        if len(members) <= limits[pass_no]
        for i, a in enumerate(members)
        for b in members[i + 1 :]
    }
    assert any(len(members) > limits[pass_no] for (pass_no, _), members in blocks.items())
    pairs = [(a.id, b.id) for a, b in engine.candidate_pairs(records)]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == expected


def test_two_processes_find_the_pairs_of_one_in_the_same_order(monkeypatch):
    monkeypatch.setattr(engine, "CHUNK_PAIRS", 200)
    told = {1: [], 2: []}

    def run(workers: int) -> list[tuple]:
        matches = engine.find_duplicates(crowd(400), workers=workers, progress=told[workers].append)
        return [(m.a, m.b, m.score, m.reasons) for m in matches]

    alone, shared = run(1), run(2)
    assert len(alone) > 100
    assert shared == alone
    assert len(told[1]) > 5 and told[2] == told[1]  # progress per chunk of blocks


def test_a_scan_s_blocking_drops_what_it_no_longer_needs():
    records = [*crowd(50), engine.prepare(dict(JANE, id=1000))]
    blocks = engine.Blocking()
    for record in records:
        blocks.add(record)
    blocks.close()
    assert records[-1].keys == ()  # kept only as hashes
    assert blocks.records[-1] is None  # shares no block: never compared
    assert blocks.records[0] is records[0]
