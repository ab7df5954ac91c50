from patron.conftest import api_client_for
from patron.lists.models import CustomerList
from patron.lists.tests.helpers import give_trait, make_list, suppress, suppression_type, trait
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role


def test_crud_with_rules_as_ids(api, workspace, other_workspace):
    golfer = trait(workspace, "Golfer")
    competitor = suppression_type(workspace, "Competitor")
    created = api.post(
        "/api/v1/customer-lists/",
        {
            "name": "Golf day",
            "usage": "email",
            "traits": [golfer.pk],
            "suppressions": [competitor.pk],
            "cost": "120.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["traits"], body["suppressions"], body["customer_count"]) == (
        [golfer.pk],
        [competitor.pk],
        0,
    )
    pk = body["id"]
    changed = api.patch(f"/api/v1/customer-lists/{pk}/", {"traits": []}, format="json")
    assert changed.json()["traits"] == []
    taken = api.post("/api/v1/customer-lists/", {"name": "GOLF DAY"}, format="json")
    assert taken.status_code == 400
    assert taken.json()["errors"][0]["message"] == "A customer list with this name already exists."
    foreign = api.post(
        "/api/v1/customer-lists/",
        {"name": "Spy", "traits": [trait(other_workspace, "Golfer").pk]},
        format="json",
    )
    assert foreign.status_code == 400 and foreign.json()["errors"][0]["field"] == "traits"
    assert api.delete(f"/api/v1/customer-lists/{pk}/").status_code == 204
    assert not CustomerList.objects.exists()


def test_rules_must_be_lists_of_ids(api, workspace):
    # DRF alone would read {} (any iterable) as "no activities" and create the list.
    refused = api.post("/api/v1/customer-lists/", {"name": "Odd", "activities": {}}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "activities"
    assert not CustomerList.objects.exists()


def test_count_is_the_wizards(api, workspace):
    for i in range(3):
        person = make_customer(workspace, last_name=f"P{i}", email=f"p{i}@x.com", city="Leeds")
        if i:
            give_trait(person, "Golfer")
    suppress(person, "Do not email")
    make_customer(workspace, last_name="Away", email="a@x.com", city="York")
    response = api.post(
        "/api/v1/customer-lists/count/",
        {"usage": "email", "traits": [trait(workspace, "Golfer").pk], "search": {"city": "Leeds"}},
        format="json",
    )
    assert response.json() == {
        "matched": 3,
        "eligible": 1,
        "out_of_use": 0,
        "missing_data": 0,
        "suppressed": 1,
        "lacking_traits": 1,
    }
    bad = api.post("/api/v1/customer-lists/count/", {"search": {"number": "x"}}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "search.number"


def test_add_customers_by_id_gives_reasons_and_by_search_counts(api, workspace, other_workspace):
    customer_list = make_list(workspace)
    ok = make_customer(workspace, last_name="Ok", email="ok@x.com")
    no_email = make_customer(workspace, last_name="Nomail")
    url = f"/api/v1/customer-lists/{customer_list.pk}/add-customers/"
    response = api.post(url, {"customers": [ok.pk, no_email.pk]}, format="json")
    assert response.json() == {
        "added": 1,
        "refused": 1,
        "refusals": [{"customer": no_email.pk, "reasons": ["has no email address"]}],
    }
    foreign = make_customer(other_workspace, email="f@x.com")
    refused = api.post(url, {"customers": [foreign.pk]}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "customers"
    neither = api.post(url, {}, format="json")
    assert neither.status_code == 400
    make_customer(workspace, last_name="Later", email="later@x.com")
    by_search = api.post(url, {"search": {"last_name": "la"}}, format="json")
    assert by_search.json() == {"added": 1, "refused": 0, "refusals": []}

    page = api.get(f"/api/v1/customer-lists/{customer_list.pk}/customers/").json()
    assert [row["customer"] for row in page["results"]] == sorted(
        customer_list.entries.values_list("customer", flat=True)
    )
    removed = api.post(
        f"/api/v1/customer-lists/{customer_list.pk}/remove-customers/",
        {"customers": [ok.pk]},
        format="json",
    )
    assert removed.json() == {"removed": 1}
    assert customer_list.entries.count() == 1


def test_entries_are_read_by_key(api, workspace, admin):
    from patron.customers.models import Customer
    from patron.lists import services

    customer_list = make_list(workspace, usage="")
    for i in range(5):
        make_customer(workspace, last_name=f"P{i}")
    services.list_add_customers(
        customer_list=customer_list, customers=Customer.objects.all(), actor=admin
    )
    url = f"/api/v1/customer-lists/{customer_list.pk}/customers/?page_size=2"
    seen = []
    while url:
        page = api.get(url).json()
        seen += [row["customer"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(Customer.objects.values_list("pk", flat=True))


def test_roles(member, workspace, customer):
    customer_list = make_list(workspace)
    read_only = api_client_for(member(Role.READ_ONLY))
    assert read_only.get("/api/v1/customer-lists/").status_code == 200
    assert read_only.post("/api/v1/customer-lists/count/", {}, format="json").status_code == 200
    url = f"/api/v1/customer-lists/{customer_list.pk}/add-customers/"
    assert read_only.post(url, {"customers": [customer.pk]}, format="json").status_code == 403
    sales = api_client_for(member(Role.SALES))
    assert sales.post(url, {"customers": [customer.pk]}, format="json").json()["added"] == 1
    assert sales.post("/api/v1/customer-lists/", {"name": "X"}, format="json").status_code == 403
    assert sales.delete(f"/api/v1/customer-lists/{customer_list.pk}/").status_code == 403
