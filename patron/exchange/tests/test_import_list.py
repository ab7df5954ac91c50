"""Import Customer List (manual 000): the imported customers join the list where its rules
allow; the others are reported with their row and the reason."""

import csv

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from patron.customers.models import Customer
from patron.exchange import importing
from patron.exchange.importing import Options, import_resume, import_run
from patron.exchange.models import ImportJob
from patron.exchange.reading import open_table
from patron.history.models import Change
from patron.lists import services as list_services
from patron.lists.models import CustomerList, ListEntry
from patron.lists.tests.helpers import make_list
from patron.testing.factories import make_customer

ROWS = [
    ["Last name", "Email", "Opt out", "Status", "City"],
    ["Lovelace", "ada@example.com", "", "", "Bath"],  # row 2: matches Ada, joins
    ["Byron", "byron@example.com", "", "", ""],  # row 3: new, joins
    ["Keats", "", "", "", ""],  # row 4: new, no email: refused
    ["Shelley", "shelley@example.com", "Yes", "", ""],  # row 5: opted out: refused
    ["Wollstonecraft", "mary@example.com", "", "Void", ""],  # row 6: void: refused
    ["Bad", "bad@", "", "", ""],  # row 7: not imported, not offered
    ["Hopper", "grace@example.com", "", "", ""],  # row 8: in the list already
]


def write(tmp_path, rows=ROWS):
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    return path


@pytest.fixture
def spring(workspace):
    """An email list holding Grace already; Ada exists and may join."""
    make_customer(workspace, None, first_name="Ada", last_name="Lovelace", email="ada@example.com")
    grace = make_customer(
        workspace, None, first_name="Grace", last_name="Hopper", email="grace@example.com"
    )
    customer_list = make_list(workspace)
    list_services.list_add_customer(customer_list=customer_list, customer=grace, actor=None)
    return customer_list


def members(customer_list) -> list[str]:
    entries = ListEntry.objects.filter(customer_list=customer_list)
    return sorted(entries.values_list("customer__last_name", flat=True))


def test_imported_customers_join_where_the_rules_allow(tmp_path, workspace, spring):
    table = open_table(write(tmp_path))
    report = import_run(
        workspace=workspace,
        actor=None,
        table=table,
        options=Options(usage="email"),
        customer_list=spring,
        batch_size=3,
    )
    assert (report.created, report.updated, report.unchanged, report.failed) == (4, 1, 1, 1)
    assert (report.joined_list, report.refused_by_list) == (2, 3)
    assert members(spring) == ["Byron", "Hopper", "Lovelace"]
    keats, shelley, mary = (
        Customer.objects.get(workspace=workspace, last_name=name).number
        for name in ["Keats", "Shelley", "Wollstonecraft"]
    )
    assert [str(refusal) for refusal in report.list_refusals] == [
        f"Row 4, Spring mailing: Customer {keats} has no email address",
        f"Row 5, Spring mailing: Customer {shelley} opted out of marketing",
        f"Row 6, Spring mailing: Customer {mary} is void",
    ]
    assert report.summary().endswith("2 joined the list “Spring mailing”, 3 refused by its rules.")
    job = ImportJob.objects.get(workspace=workspace)
    assert (job.customer_list, job.joined_list, job.refused_by_list) == (spring, 2, 3)
    # The refused customers are imported all the same; only the bad row is a failed row.
    assert [
        cells[0] for cells in job.failures.filter(kind="row").values_list("cells", flat=True)
    ] == ["Bad"]
    # The list's History says the import added them (the first batch: Ada and Byron).
    changes = Change.objects.filter(
        content_type=ContentType.objects.get_for_model(CustomerList), object_id=spring.pk
    ).exclude(action="create")
    assert [(c.via, c.fields[0]["new"]) for c in changes.order_by("pk")] == [
        ("page", "added Grace Hopper by hand"),
        ("import", "added 2 customers by import"),
    ]


def test_a_list_of_another_workspace_is_refused(tmp_path, workspace, other_workspace):
    theirs = make_list(other_workspace)
    with pytest.raises(ValueError, match="another workspace"):
        import_run(
            workspace=workspace,
            actor=None,
            table=open_table(write(tmp_path)),
            customer_list=theirs,
        )
    assert not Customer.objects.in_workspace(workspace).exists()


def test_a_stopped_list_import_resumes_to_the_same_members(
    tmp_path, workspace, spring, monkeypatch
):
    real = importing._Importer.offer_to_list
    calls = {"n": 0}

    def failing_in_the_second_batch(self, batch):
        calls["n"] += 1
        real(self, batch)
        if calls["n"] == 2:
            raise RuntimeError("lost the connection")

    monkeypatch.setattr(importing._Importer, "offer_to_list", failing_in_the_second_batch)
    with pytest.raises(RuntimeError):
        import_run(
            workspace=workspace,
            actor=None,
            table=open_table(write(tmp_path)),
            customer_list=spring,
            batch_size=3,
        )
    job = ImportJob.objects.get(workspace=workspace)
    assert (job.rows, job.joined_list, job.refused_by_list) == (3, 2, 1)
    assert members(spring) == ["Byron", "Hopper", "Lovelace"]
    monkeypatch.setattr(importing._Importer, "offer_to_list", real)
    report = import_resume(job)
    assert (report.joined_list, report.refused_by_list) == (2, 3)
    assert [refusal.row for refusal in report.list_refusals] == [4, 5, 6]
    assert members(spring) == ["Byron", "Hopper", "Lovelace"]


def test_the_command_joins_a_list_by_name(tmp_path, workspace, spring, capsys):
    call_command("import", str(write(tmp_path)), "--workspace", "acme", "--list", "spring MAILING")
    out = capsys.readouterr().out
    assert "2 joined the list “Spring mailing”, 3 refused by its rules." in out
    assert "Refused by the list:" in out and "  Row 5, Spring mailing: Customer" in out
    assert members(spring) == ["Byron", "Hopper", "Lovelace"]
    with pytest.raises(CommandError, match="No list named “Autumn” in this workspace"):
        call_command("import", str(write(tmp_path)), "--workspace", "acme", "--list", "Autumn")
