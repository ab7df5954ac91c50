import pytest

from patron.duplicates import services
from patron.testing.factories import make_customer


@pytest.fixture
def twins(workspace, admin):
    """Two records of one person, typed differently, and someone else entirely."""
    jane = make_customer(
        workspace,
        admin,
        first_name="Jane",
        last_name="Whitfield",
        date_of_birth="1980-02-09",
        address_1="44 Forbes Street",
        city="Leeds",
        postcode="LS1 4AB",
        email="jane@example.com",
        external_ref="CRM-17",
    )
    janet = make_customer(
        workspace,
        admin,
        first_name="Jane",
        last_name="Whitfeild",
        date_of_birth="1980-09-02",
        address_1="44 Forbes St",
        city="Leeds",
        postcode="LS1 4AB",
    )
    other = make_customer(
        workspace,
        admin,
        first_name="Robert",
        last_name="Whitfield",
        date_of_birth="1951-07-30",
        address_1="3 Mill Lane",
        city="York",
        postcode="YO1 7HH",
    )
    return jane, janet, other


@pytest.fixture
def scan_now(workspace, admin, django_capture_on_commit_callbacks):
    """Start a scan as the page does and let it run (tasks run at once in tests)."""

    def run(workspace_=None, actor=admin):
        with django_capture_on_commit_callbacks(execute=True):
            scan = services.scan_start(workspace=workspace_ or workspace, actor=actor)
        scan.refresh_from_db()
        return scan

    return run


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a view queues after commit (the scan task), as a real request would."""
    return django_capture_on_commit_callbacks
