import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from patron.customers.services import customer_delete
from patron.history.services import changes_for
from patron.loyalty import services
from patron.loyalty.models import CustomerHouseAccount, HouseAccount, LoyaltyEntry


def test_the_balance_is_the_ledgers_sum(customer, admin):
    services.loyalty_earn(customer=customer, points=120, reason="Purchase 1", actor=admin)
    services.loyalty_redeem(customer=customer, points=50, actor=admin)
    services.loyalty_entry_create(
        customer=customer, kind="adjustment", points=-20, reason="Double booked", actor=admin
    )
    assert services.loyalty_balance(customer) == 50
    ledger = list(customer.loyalty_entries.values_list("kind", "points"))
    assert ledger == [("adjustment", -20), ("redeemed", -50), ("earned", 120)]
    assert customer.loyalty_entries.last().created_by == admin


def test_each_entry_is_in_the_customers_history(customer, admin):
    services.loyalty_earn(customer=customer, points=10, reason="Welcome", actor=admin)
    services.loyalty_redeem(customer=customer, points=4, actor=admin)
    changes = [
        (change.fields[0]["old"], change.fields[0]["new"], change.reason)
        for change in changes_for(customer)
        if change.fields and change.fields[0]["field"] == "loyalty_points"
    ]
    assert changes == [("10", "6", "Redeemed"), ("0", "10", "Earned: Welcome")]
    entry = customer.loyalty_entries.first()
    assert changes_for(entry).get().action == "create"


def test_a_redemption_below_zero_is_refused_and_books_nothing(customer, admin):
    services.loyalty_earn(customer=customer, points=30, actor=admin)
    with pytest.raises(ValidationError) as refused:
        services.loyalty_redeem(customer=customer, points=31, actor=admin)
    assert refused.value.message_dict == {
        "points": ["Ada Lovelace has 30 points: redeeming 31 would take the balance below zero."]
    }
    with pytest.raises(ValidationError):
        services.loyalty_entry_create(
            customer=customer, kind="adjustment", points=-31, reason="x", actor=admin
        )
    assert services.loyalty_balance(customer) == 30
    assert customer.loyalty_entries.count() == 1


@pytest.mark.parametrize(
    ("kind", "points", "reason", "field"),
    [
        ("earned", -5, "", "points"),
        ("earned", 0, "", "points"),
        ("redeemed", 5, "", "points"),
        ("adjustment", 0, "Oops", "points"),
        ("adjustment", 5, "  ", "reason"),
        ("earned", 1_000_001, "", "points"),
        ("bonus", 5, "", "kind"),
    ],
)
def test_entries_must_make_sense(customer, admin, kind, points, reason, field):
    with pytest.raises(ValidationError) as refused:
        services.loyalty_entry_create(
            customer=customer, kind=kind, points=points, reason=reason, actor=admin
        )
    assert field in refused.value.message_dict
    assert not LoyaltyEntry.objects.exists()


def test_no_points_for_a_customer_in_the_recycle_bin(customer, admin):
    customer_delete(customer=customer, actor=admin)
    with pytest.raises(ValidationError) as refused:
        services.loyalty_earn(customer=customer, points=5, actor=admin)
    assert "customer" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_at_once_cannot_overdraw(workspace, admin):
    """Both ask for 60 of 100 points at the same moment: one is booked, one refused."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers by itself; row locks are PostgreSQL's")
    from patron.testing.factories import make_customer

    customer = make_customer(workspace, admin)
    services.loyalty_earn(customer=customer, points=100, actor=admin)
    barrier = threading.Barrier(2)
    outcomes = []

    def redeem():
        try:
            barrier.wait()
            services.loyalty_redeem(customer=customer, points=60, actor=None)
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert services.loyalty_balance(customer) == 40


def test_house_account_names_are_unique_and_limits_not_negative(house_account, workspace):
    with pytest.raises(ValidationError) as refused:
        services.house_account_create(workspace=workspace, actor=None, data={"name": " trade"})
    assert refused.value.message_dict == {"name": ["A house account named Trade already exists."]}
    with pytest.raises(ValidationError) as refused:
        services.house_account_create(
            workspace=workspace, actor=None, data={"name": "Staff", "credit_limit": "-1"}
        )
    assert "credit_limit" in refused.value.message_dict
    assert HouseAccount.objects.count() == 1
    assert house_account.credit_limit == Decimal("500.00")


def test_select_house_accounts(customer, admin, house_account, workspace):
    staff = services.house_account_create(workspace=workspace, actor=None, data={"name": "Staff"})
    services.customer_house_accounts_set(
        customer=customer, house_accounts=[house_account, staff], actor=admin
    )
    services.customer_house_accounts_set(customer=customer, house_accounts=[staff], actor=admin)
    assert [link.house_account for link in customer.customer_house_accounts.all()] == [staff]
    changes = [
        (c.fields[0]["old"], c.fields[0]["new"])
        for c in changes_for(customer)
        if c.fields and c.fields[0]["field"] == "house_accounts"
    ]
    assert changes == [("Staff, Trade", "Staff"), ("", "Staff, Trade")]


def test_an_inactive_account_is_not_given_but_may_stay(customer, admin, house_account):
    services.customer_house_accounts_set(
        customer=customer, house_accounts=[house_account], actor=admin
    )
    services.house_account_update(house_account=house_account, actor=admin, data={"active": False})
    services.customer_house_accounts_set(
        customer=customer, house_accounts=[house_account], actor=admin
    )
    assert customer.customer_house_accounts.count() == 1
    services.customer_house_accounts_set(customer=customer, house_accounts=[], actor=admin)
    with pytest.raises(ValidationError) as refused:
        services.customer_house_accounts_set(
            customer=customer, house_accounts=[house_account], actor=admin
        )
    assert refused.value.message_dict == {
        "house_accounts": ["The house account Trade is inactive."]
    }


def test_a_foreign_house_account_is_refused(customer, admin, other_workspace):
    foreign = services.house_account_create(
        workspace=other_workspace, actor=None, data={"name": "Elsewhere"}
    )
    with pytest.raises(ValidationError):
        services.customer_house_accounts_set(
            customer=customer, house_accounts=[foreign], actor=admin
        )
    with pytest.raises(ValidationError):
        services.customer_house_account_add(customer=customer, house_account=foreign, actor=admin)
    assert not CustomerHouseAccount.objects.exists()


def test_an_account_in_use_cannot_be_deleted(customer, admin, house_account):
    services.customer_house_account_add(customer=customer, house_account=house_account, actor=admin)
    with pytest.raises(ValidationError) as refused:
        services.house_account_delete(house_account=house_account, actor=admin)
    assert refused.value.messages == [
        "1 customer has the house account Trade: take it off that customer first, or make it "
        "inactive."
    ]
    services.customer_house_account_remove(link=customer.customer_house_accounts.get(), actor=admin)
    services.house_account_delete(house_account=house_account, actor=admin)
    assert not HouseAccount.objects.exists()


def test_a_workspace_can_still_be_deleted_with_its_house_accounts(customer, house_account):
    services.customer_house_account_add(customer=customer, house_account=house_account, actor=None)
    services.loyalty_earn(customer=customer, points=5, actor=None)
    customer.workspace.delete()
    assert not HouseAccount.objects.exists() and not LoyaltyEntry.objects.exists()
