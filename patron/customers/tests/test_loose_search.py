"""The loose searches (customers/loose_search.py): a name with a typo and text inside an
email, as a user meets them in the API, the banner and the list, on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patron.core import keyset
from patron.customers.models import Customer
from patron.customers.queries import global_search
from patron.testing.factories import make_customer

URL = "/api/v1/customers/"


def found(workspace, text: str) -> list[str]:
    customers = Customer.objects.in_workspace(workspace).searchable()
    return sorted(str(c) for c in global_search(customers, text, "GB"))


def walk(api, params: dict) -> tuple[list[int], dict]:
    """Every id the API's pages give, following `next`; and the first page's body."""
    first = body = api.get(URL, params).json()
    ids = [c["id"] for c in body["results"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        ids += [c["id"] for c in body["results"]]
    return ids, first


@pytest.fixture
def wilsons(workspace, admin, other_workspace):
    """Wilsons by surname and by first name, a near miss, others, and another workspace's."""
    people = [("Ann", "Wilson"), ("Wilson", "Grey"), ("Bob", "Wilsonne"), ("Cy", "Wilson")]
    people += [("Di", "Wilson"), ("Ed", "Willson"), ("Fay", "Watson"), ("Gus", "Wilson")]
    for first, last in people:
        make_customer(workspace, admin, first_name=first, last_name=last)
    make_customer(workspace, admin, kind="organization", company_name="Wilson Ltd")
    make_customer(other_workspace, None, first_name="Hal", last_name="Wilson")
    customers = Customer.objects.in_workspace(workspace).searchable().order_by("name_key", "pk")
    return [c.pk for c in customers if "wilson" in (c.name_key[:6], c.given_name_key[:6])]


@pytest.mark.parametrize("most", [2_000, 3])
def test_a_common_surname_with_a_typo_pages_in_name_order(wilsons, api, monkeypatch, most):
    """ "wilsno" finds the Wilsons (surname or first name), never Willson or Watson nor
    another workspace's; as a short list of ids, or (many matches) page by page from each
    variant's index range, the pages follow the names and the links walk them all."""
    monkeypatch.setattr("patron.customers.loose_search.TYPO_LIST_MAX", most)
    assert len(wilsons) == 7
    ids, first = walk(api, {"q": "wilsno", "page_size": 2})
    assert ids == wilsons
    assert (first["count"], first["count_exact"]) == (7, True)
    by_number = [
        c["id"]
        for n in (1, 2, 3, 4)
        for c in api.get(URL, {"q": "wilsno", "page_size": 2, "page": n}).json()["results"]
    ]
    assert by_number == wilsons


def test_many_typo_matches_page_by_branch_in_the_banner_too(wilsons, workspace, monkeypatch):
    monkeypatch.setattr("patron.customers.loose_search.TYPO_LIST_MAX", 3)
    customers = Customer.objects.in_workspace(workspace).searchable()
    found = global_search(customers, "Wilsno", "GB")
    assert keyset.AnyOf.of(found) is not None
    assert [c.pk for c in keyset.first(found, 4)] == wilsons[:4]
    assert keyset.count(found, cap=5).exact is False
    assert sorted(found.values_list("pk", flat=True)) == sorted(wilsons)  # no order asked


def test_a_typo_search_takes_few_queries_of_bounded_size(wilsons, workspace):
    """The typo's ~600 variants are one condition: one query finds the matches, the page
    and its count read their ids; none lists the variants again."""
    customers = Customer.objects.in_workspace(workspace).searchable()
    with CaptureQueriesContext(connection) as queries:
        typo = global_search(customers, "wilsno", "GB")
        page = keyset.paginate(typo.order_by("name_key"), size=5)
    assert [c.pk for c in page] == wilsons[:5]
    typo = [q["sql"] for q in queries.captured_queries if "wilsnoa" in q["sql"]]
    assert len(typo) == 1, typo
    assert "UNION" not in typo[0]


def test_names_with_quotes_and_odd_characters_survive_the_typo_search(workspace, admin):
    make_customer(workspace, admin, first_name="Seán", last_name="O'Brien")
    make_customer(workspace, admin, first_name='Al "Big"', last_name="Back\\slash")
    assert found(workspace, "o'brein sean") == ["Seán O'Brien"]
    assert found(workspace, "o'brien saen") == ["Seán O'Brien"]
    assert found(workspace, 'back\\slahs al "big"') == ['Al "Big" Back\\slash']
    assert found(workspace, 'backslahs "{,}"') == []


def test_a_typo_with_no_near_name_finds_nothing(workspace, admin):
    make_customer(workspace, admin, first_name="John", last_name="Smith")
    assert found(workspace, "xqzvw") == []
    assert found(workspace, "jonh smiht") == []  # two typos
    assert found(workspace, "jonh smith") == ["John Smith"]


def test_an_email_fragment_is_taken_literally(workspace, admin):
    """Quotes, stars and case in a fragment are text to find, not search syntax."""
    make_customer(workspace, admin, first_name="Ann", email="o'neil_smith+news@x.example")
    make_customer(workspace, admin, first_name="Bo", email="osmith@x.example")
    assert found(workspace, "_smith+news@") == ["Ann Lovelace"]
    assert found(workspace, "SMITH+NEWS@X") == ["Ann Lovelace"]
    assert found(workspace, "'neil_") == []  # no "@": a name, not an email
    assert found(workspace, "o'neil_s@") == []
    assert found(workspace, "smith@") == ["Bo Lovelace"]
    assert found(workspace, '"smith@') == []
    assert found(workspace, "smith*@") == []
    assert found(workspace, "s?ith@") == []


@pytest.mark.parametrize("most", [5_000, 1])
def test_an_email_fragment_counts_and_pages_alike_as_a_list_or_not(
    workspace, admin, other_workspace, api, monkeypatch, most
):
    """Few matches come as a list of ids (looked up once), many through the index in every
    query: the same rows, count and pages either way, in this workspace only."""
    monkeypatch.setattr("patron.customers.loose_search.EMAIL_LIST_MAX", most)
    for last in ("Moss", "Abel", "Zed"):
        make_customer(workspace, admin, last_name=last, email=f"{last.lower()}.jones@shop.example")
    make_customer(workspace, admin, last_name="Lee", email="lee@shop.example")
    make_customer(other_workspace, None, last_name="Ash", email="ash.jones@shop.example")
    ids, first = walk(api, {"q": "jones@shop", "page_size": 2})
    names = [Customer.objects.get(pk=pk).last_name for pk in ids]
    assert names == ["Abel", "Moss", "Zed"]
    assert (first["count"], first["count_exact"]) == (3, True)


def test_another_workspaces_matches_leave_an_email_fragment_a_list_on_postgresql(
    workspace, admin, other_workspace, api, monkeypatch
):
    """A busy workspace's matches do not push another's past the list of ids: on PostgreSQL
    the fragment is looked up once, in this workspace, and not in every query after."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 table knows no workspace (loose_search.email_contains)")
    monkeypatch.setattr("patron.customers.loose_search.EMAIL_LIST_MAX", 3)
    for last in ("Moss", "Abel", "Zed"):
        make_customer(workspace, admin, last_name=last, email=f"{last.lower()}.jones@shop.example")
    for last in ("Ash", "Bay"):
        make_customer(other_workspace, None, last_name=last, email=f"{last}.jones@shop.example")
    with CaptureQueriesContext(connection) as asked:
        body = api.get(URL, {"q": "jones@shop"}).json()
    assert [c["last_name"] for c in body["results"]] == ["Abel", "Moss", "Zed"]
    assert sum("%jones@shop%" in query["sql"] for query in asked) == 1


def test_many_typo_matches_with_another_filter_still_page_in_order(wilsons, api, monkeypatch):
    """Another filter drops the paging by branch: the typo's matches are then one subquery."""
    monkeypatch.setattr("patron.customers.loose_search.TYPO_LIST_MAX", 3)
    people = [pk for pk in wilsons if Customer.objects.get(pk=pk).kind == Customer.Kind.PERSON]
    ids, first = walk(api, {"q": "wilsno", "kind": "person", "page_size": 2})
    assert ids == people and len(people) == 6
    assert first["count"] == 6
