import pytest

from patron.campaigns import services as campaign_services
from patron.campaigns.models import Status, Step
from patron.marketing import services as marketing_services
from patron.testing.factories import make_customer


@pytest.fixture
def jane(workspace, admin):
    return make_customer(workspace, admin, first_name="Jane", last_name="Smith")


@pytest.fixture
def john(workspace, admin):
    return make_customer(workspace, admin, first_name="John", last_name="Brown")


@pytest.fixture
def golfer(workspace, admin):
    return marketing_services.trait_create(
        workspace=workspace, actor=admin, data={"name": "Golfer"}
    )


@pytest.fixture
def spring(workspace, admin):
    """A running activity (Active, Started) with the reference code SPRING27."""
    return campaign_services.activity_create(
        workspace=workspace,
        actor=admin,
        data={
            "name": "Spring mailing",
            "reference_code": "SPRING27",
            "status": Status.ACTIVE,
            "step": Step.STARTED,
        },
    )
