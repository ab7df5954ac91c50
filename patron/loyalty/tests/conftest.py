import pytest

from patron.loyalty import services


@pytest.fixture
def house_account(workspace):
    return services.house_account_create(
        workspace=workspace, actor=None, data={"name": "Trade", "credit_limit": "500.00"}
    )
