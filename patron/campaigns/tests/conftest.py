import pytest

from patron.campaigns import services
from patron.campaigns.models import Status, Step


@pytest.fixture
def make_activity(workspace, admin):
    """make_activity(name=..., status=..., step=...) in `workspace`, Planned by default."""

    def make(workspace_=None, **data):
        return services.activity_create(
            workspace=workspace_ or workspace,
            actor=admin,
            data={"name": "Spring mailing", **data},
        )

    return make


@pytest.fixture
def running_activity(make_activity):
    return make_activity(name="Spring mailing", status=Status.ACTIVE, step=Step.STARTED)


@pytest.fixture
def fulfilment(customer, running_activity, admin):
    return services.fulfilment_create(
        customer=customer,
        activity=running_activity,
        fulfilment_type="Send brochure",
        actor=admin,
    )
