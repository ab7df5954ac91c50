import pytest

from patron.cases import services


@pytest.fixture
def reason_code(workspace):
    return services.reason_code_create(
        workspace=workspace, actor=None, data={"name": "Faulty goods"}
    )


@pytest.fixture
def case(customer, admin, reason_code):
    return services.case_create(
        customer=customer,
        actor=admin,
        data={"subject": "Kettle leaks", "reason_code": reason_code, "assignee": admin},
    )
