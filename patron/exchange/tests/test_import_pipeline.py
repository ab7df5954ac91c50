"""A run prepares the next batch (reading, validation, normalization, the new customers'
History wording) in a second process while it writes the batch in hand: the end state is
exactly that of the same import done in one process, refused rows and History included,
and a killed import leaves no reading process behind."""

import csv
import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest
from django.conf import settings

from patron.customers.models import Customer
from patron.exchange import importing
from patron.exchange.importing import Options, import_run
from patron.exchange.models import ImportJob
from patron.exchange.reading import open_table
from patron.exchange.tests.test_import_resume import _database_url, people_file, state
from patron.testing.factories import WorkspaceFactory, make_customer


def test_a_pipelined_run_ends_exactly_as_one_in_a_single_process(
    tmp_path, workspace, other_workspace, admin, monkeypatch
):
    for each in (workspace, other_workspace):
        make_customer(each, None, first_name="Ada", last_name="Lovelace", email="ada@example.com")
    path = people_file(tmp_path / "people.csv", 700)
    with path.open("a", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Ragged", "Row", "r@example.com", "", "Leeds", "", "extra"])  # too wide
        writer.writerow(["Grace", "Hopper", "grace@example.com", "+44 20 7946 0018", "", ""])
        writer.writerow(["Grace", "Hopper", "GRACE@example.com", "", "London", "SW1A 1AA"])
        writer.writerow(["Bad", "Phone", "bad@example.com", "12", "", ""])
    # Whatever other threads the test run has (a browser test's), the pipeline is taken.
    monkeypatch.setattr(importing._Pipeline, "available", staticmethod(lambda: True))
    started = []
    real_enter = importing._Pipeline.__enter__
    monkeypatch.setattr(
        importing._Pipeline, "__enter__", lambda self: started.append(1) or real_enter(self)
    )
    reports = []
    for each, pipeline in ((workspace, True), (other_workspace, False)):
        monkeypatch.setattr(importing, "PIPELINE", pipeline)
        reports.append(
            import_run(
                workspace=each,
                actor=admin,
                table=open_table(path),
                options=Options(usage="email"),
                batch_size=60,
            )
        )
    pipelined, single = reports
    assert started == [1]  # the first run only went through a second process
    # It ran the garbage collector itself between batches, and gave it back.
    assert gc.isenabled()
    assert pipelined.counts() == single.counts()
    assert pipelined.counts()["failed"] == 700 // 17 + 2
    assert [str(error) for error in pipelined.errors] == [str(error) for error in single.errors]
    assert state(workspace) == state(other_workspace)


def test_an_unreadable_row_stops_a_pipelined_run_as_it_stops_one_process(
    tmp_path, workspace, admin, monkeypatch
):
    path = people_file(tmp_path / "people.csv", 200)

    def failing_prepare(self, rows, **options):
        if rows[0][0] > 100:
            raise ValueError("The disk went away.")
        return real_prepare(self, rows, **options)

    real_prepare = importing._Importer.prepare
    monkeypatch.setattr(importing._Importer, "prepare", failing_prepare)
    monkeypatch.setattr(importing._Pipeline, "available", staticmethod(lambda: True))
    with pytest.raises(ValueError, match="The disk went away"):
        import_run(workspace=workspace, actor=admin, table=open_table(path), batch_size=50)
    job = ImportJob.objects.get(workspace=workspace)
    assert (job.status, job.rows, job.next_row) == ("failed", 100, 101)
    assert job.message == "The disk went away."
    assert gc.isenabled()  # given back by the stopped run too


def test_a_failed_write_stops_a_pipelined_run_and_leaves_nothing_running(
    tmp_path, workspace, admin, monkeypatch
):
    """When the importer fails, the reading process (a batch or two ahead) ends with
    the run, and the batches committed before stay."""
    path = people_file(tmp_path / "people.csv", 400)

    def failing_write(self, batch):
        if self.next_row > 150:
            raise RuntimeError("The database went away.")
        return real_write(self, batch)

    real_write = importing._Importer.write
    monkeypatch.setattr(importing._Importer, "write", failing_write)
    monkeypatch.setattr(importing._Pipeline, "available", staticmethod(lambda: True))
    with pytest.raises(RuntimeError, match="The database went away"):
        import_run(workspace=workspace, actor=admin, table=open_table(path), batch_size=50)
    job = ImportJob.objects.get(workspace=workspace)
    assert (job.status, job.rows, job.next_row) == ("failed", 150, 151)
    # The three committed batches' customers, and not one of the batch that failed.
    assert Customer.objects.filter(workspace=workspace).count() == job.created > 100
    assert multiprocessing.active_children() == []


def _processes_running(command_part: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if command_part in command and "\nState:\tZ" not in status:
            found.append(int(entry.name))
    return found


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_no_reading_process(tmp_path):
    workspace = WorkspaceFactory(slug="killed")
    people_file(tmp_path / "people.csv", 3000)
    env = {**os.environ, "DATABASE_URL": _database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    marker = str(tmp_path / "people.csv")
    process = subprocess.Popen(
        [sys.executable, "-m", "patron", "import", marker, "--workspace", workspace.slug,
         "--batch-size", "50", "--progress-every", "50"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
        cwd=Path(settings.BASE_DIR).parent,
    )  # fmt: skip
    for line in process.stdout:
        if line.startswith("… ") and int(line[2:].split()[0].replace(",", "")) >= 200:
            break
    assert len(_processes_running(marker)) == 2  # the import and its reading process
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    deadline = time.monotonic() + 20
    while _processes_running(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_running(marker) == []


def test_a_validated_row_leaves_no_cycle_for_the_garbage_collector(workspace):
    """Each row's customer is freed as soon as the import drops it: clean() reads the
    logo, whose FieldFile refers back to its customer, and that cycle made every row's
    customer garbage for the collector to walk in both of the import's processes."""
    customer = Customer(workspace=workspace, last_name="Lovelace", email="ADA@example.com")
    values = {"last_name": "Lovelace", "email": "ADA@example.com"}
    assert importing._validate(customer, values) == {}
    assert customer.email == "ada@example.com"
    assert not customer.logo  # read again as before: no logo
    importing._validate(customer, values)  # and validated again, as a matched row is
    freed = weakref.ref(customer)
    gc.disable()
    try:
        del customer
        assert freed() is None
    finally:
        gc.enable()
