import pytest

from patron.loyalty import services
from patron.loyalty.models import HouseAccount, LoyaltyEntry
from patron.workspaces.roles import Role


@pytest.fixture
def logged_in(client, member):
    def login(role=Role.SALES):
        membership = member(role)
        client.force_login(membership.user)
        return membership.user

    return login


def test_add_and_redeem_points_from_the_customer_page(client, logged_in, customer):
    user = logged_in()
    page = client.get(customer.get_absolute_url()).content.decode()
    assert f'href="/customers/{customer.pk}/loyalty/add/"' in page
    assert f'href="/customers/{customer.pk}/loyalty/redeem/"' in page
    response = client.post(
        f"/customers/{customer.pk}/loyalty/add/", {"points": "150", "reason": "Purchase 77"}
    )
    assert response.url == f"{customer.get_absolute_url()}?tab=loyalty"
    client.post(f"/customers/{customer.pk}/loyalty/redeem/", {"points": "40"})
    tab = client.get(f"/customers/{customer.pk}/tabs/loyalty/").content.decode()
    assert '<strong class="loyalty-balance">110</strong>' in tab
    assert tab.index("-40") < tab.index("+150"), "newest first"
    assert "Purchase 77" in tab and str(user) in tab


def test_redeeming_too_many_says_so(client, logged_in, customer, admin):
    logged_in()
    services.loyalty_earn(customer=customer, points=10, actor=admin)
    response = client.post(f"/customers/{customer.pk}/loyalty/redeem/", {"points": "11"})
    assert response.status_code == 200
    assert "has 10 points: redeeming 11 would take the balance below zero" in (
        response.content.decode()
    )
    assert services.loyalty_balance(customer) == 10


def test_points_are_whole_positive_numbers_on_add(client, logged_in, customer):
    logged_in()
    for points in ("0", "-5", "2.5", ""):
        response = client.post(f"/customers/{customer.pk}/loyalty/add/", {"points": points})
        assert response.status_code == 200, points
    assert not LoyaltyEntry.objects.exists()


def test_an_adjustment_needs_a_reason(client, logged_in, customer, admin):
    logged_in()
    services.loyalty_earn(customer=customer, points=10, actor=admin)
    response = client.post(f"/customers/{customer.pk}/loyalty/adjust/", {"points": "-3"})
    assert "This field is required." in response.content.decode()
    client.post(f"/customers/{customer.pk}/loyalty/adjust/", {"points": "-3", "reason": "Typo"})
    assert services.loyalty_balance(customer) == 7


def test_read_only_cannot_book_points(client, logged_in, customer):
    logged_in(Role.READ_ONLY)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "/loyalty/add/" not in page
    assert client.post(f"/customers/{customer.pk}/loyalty/add/", {"points": "5"}).status_code == 403
    assert client.get(f"/customers/{customer.pk}/tabs/loyalty/").status_code == 200
    assert not LoyaltyEntry.objects.exists()


def test_select_house_accounts_with_ticks(client, logged_in, customer, house_account, workspace):
    logged_in()
    closed = services.house_account_create(
        workspace=workspace, actor=None, data={"name": "Closed", "active": False}
    )
    form = client.get(f"/customers/{customer.pk}/house-accounts/").content.decode()
    assert "Trade (credit limit 500.00)" in form and "Closed" not in form
    response = client.post(
        f"/customers/{customer.pk}/house-accounts/", {"house_accounts": [house_account.pk]}
    )
    assert response.url == f"{customer.get_absolute_url()}?tab=house-accounts"
    tab = client.get(f"/customers/{customer.pk}/tabs/house-accounts/").content.decode()
    assert "Trade" in tab and "500.00" in tab
    response = client.post(
        f"/customers/{customer.pk}/house-accounts/", {"house_accounts": [closed.pk]}
    )
    assert "Select a valid choice" in response.content.decode()
    client.post(f"/customers/{customer.pk}/house-accounts/", {})
    assert not customer.customer_house_accounts.exists()


def test_house_accounts_set_up(client, logged_in, customer, house_account, admin):
    logged_in(Role.MANAGER)
    client.post("/setup/house-accounts/", {"name": "Staff", "credit_limit": "0", "active": "on"})
    page = client.post(
        "/setup/house-accounts/", {"name": "STAFF", "credit_limit": "-5"}
    ).content.decode()
    assert "A house account named Staff already exists." in page
    assert "Ensure this value is greater than or equal to 0" in page
    services.customer_house_account_add(customer=customer, house_account=house_account, actor=admin)
    page = client.get(f"/setup/house-accounts/{house_account.pk}/delete/").content.decode()
    assert "1 customer has this house account" in page
    client.post(f"/setup/house-accounts/{house_account.pk}/delete/")
    assert HouseAccount.objects.filter(pk=house_account.pk).exists()
    client.post(
        f"/setup/house-accounts/{house_account.pk}/", {"name": "Trade", "credit_limit": "750"}
    )
    house_account.refresh_from_db()
    assert (str(house_account.credit_limit), house_account.active) == ("750.00", False)


def test_house_accounts_set_up_is_for_managers(client, logged_in):
    logged_in(Role.SALES)
    assert client.get("/setup/house-accounts/").status_code == 403
    assert client.post("/setup/house-accounts/", {"name": "X"}).status_code == 403
    assert not HouseAccount.objects.exists()


def test_the_tab_lists_the_newest_500_and_counts_all(client, logged_in, customer, workspace):
    logged_in(Role.READ_ONLY)
    LoyaltyEntry.objects.bulk_create(
        LoyaltyEntry(workspace=workspace, customer=customer, kind="earned", points=2)
        for _ in range(501)
    )
    tab = client.get(f"/customers/{customer.pk}/tabs/loyalty/").content.decode()
    assert '<strong class="loyalty-balance">1002</strong>' in tab
    assert tab.count("<td>+2</td>") == 500
    assert "The newest 500 of 501 entries" in tab
