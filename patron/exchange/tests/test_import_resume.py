"""Nothing is half-imported (issue 5): a batch that fails or a process killed at any row
leaves a job that resumes to exactly the end state of an uninterrupted import."""

import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from patron.customers.models import Customer
from patron.exchange import importing
from patron.exchange.importing import Options, import_resume, import_run
from patron.exchange.models import ImportFailure, ImportJob
from patron.exchange.reading import open_table
from patron.history.models import Change
from patron.testing.factories import WorkspaceFactory, make_customer

COMPARED = [
    "number", "kind", "first_name", "last_name", "company_name", "email", "mobile_phone",
    "city", "postcode", "customer_type", "version", "name_key",
]  # fmt: skip


def people_file(path: Path, rows: int) -> Path:
    """Rows with a bad one every 17th, a repeat of an earlier person every 13th (found
    again by email, in another batch) and the existing customer Ada once."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["First name", "Last name", "Email", "Mobile", "City", "Postcode"])
        for n in range(1, rows + 1):
            if n % 17 == 0:
                writer.writerow([f"Bad{n}", f"Row{n}", f"bad{n}@", "", "", ""])
            elif n % 13 == 0:
                writer.writerow(["", f"Person{n - 12}", f"P{n - 12}@EXAMPLE.COM", "", "York", ""])
            elif n == 30:
                writer.writerow(["Ada", "Lovelace", "ada@example.com", "", "Bath", ""])
            else:
                phone = f"07911 1{n:05d}"
                writer.writerow(
                    [f"First{n}", f"Person{n}", f"p{n}@example.com", phone, "Leeds", ""]
                )
    return path


def state(workspace) -> dict:
    """What a user would compare: the customers and their values, each one's History, and
    the import's counts and refused rows."""
    customers = list(Customer.objects.in_workspace(workspace).order_by("number").values(*COMPARED))
    numbers = dict(Customer.objects.in_workspace(workspace).values_list("pk", "number"))
    history = sorted(
        (numbers[change.object_id], change.action, change.version, str(change.fields))
        for change in Change.objects.filter(workspace=workspace, via="import")
    )
    job = ImportJob.objects.filter(workspace=workspace).get()
    counts = {
        name: getattr(job, name)
        for name in ["status", "rows", "created", "updated", "unchanged", "skipped", "failed"]
    }
    failures = list(job.failures.values_list("row", "reason"))
    return {"customers": customers, "history": history, "job": counts, "failures": failures}


@pytest.fixture
def two_workspaces(workspace, other_workspace):
    """The same starting point twice: Ada, whom the file updates."""
    for each in (workspace, other_workspace):
        make_customer(each, None, first_name="Ada", last_name="Lovelace", email="ada@example.com")
    return workspace, other_workspace


def test_a_failing_batch_rolls_back_and_the_job_resumes_to_the_same_end(
    tmp_path, two_workspaces, monkeypatch
):
    interrupted, clean = two_workspaces
    table = open_table(people_file(tmp_path / "people.csv", 95))
    options = Options(usage="email")
    import_run(workspace=clean, actor=None, table=table, options=options, batch_size=10)

    real_write = importing._Importer.write
    calls = {"n": 0}

    def write_failing_in_the_fourth_batch(self, batch):
        calls["n"] += 1
        real_write(self, batch)  # the batch's customers are written, then it fails
        if calls["n"] == 4:
            raise RuntimeError("disk full")

    monkeypatch.setattr(importing._Importer, "write", write_failing_in_the_fourth_batch)
    with pytest.raises(RuntimeError, match="disk full"):
        import_run(workspace=interrupted, actor=None, table=table, options=options, batch_size=10)
    job = ImportJob.objects.get(workspace=interrupted)
    # Exactly the three committed batches, and a job that says so.
    assert (job.status, job.message, job.next_row, job.rows) == ("failed", "disk full", 31, 30)
    assert Customer.objects.in_workspace(interrupted).count() == 1 + job.created
    assert job.created == 30 - 1 - 2 - 1  # Ada updated, Person1 and 14 found again, row 17 bad
    # A History entry for each row but the bad one: 26 created, 3 updated.
    assert Change.objects.filter(workspace=interrupted, via="import").count() == 30 - 1
    assert list(job.failures.values_list("row", flat=True)) == [18]  # row 17 of the data

    monkeypatch.setattr(importing._Importer, "write", real_write)
    report = import_resume(job)
    assert report.rows == 95 and report.failed == 5
    assert [error.row for error in report.errors] == [18, 35, 52, 69, 86]
    job.refresh_from_db()
    streamed = "".join(job.failed_rows_csv_chunks())
    assert streamed == report.failed_csv()
    assert streamed.splitlines()[1].startswith("Bad17,Row17,bad17@,,,,Email: Enter a valid")
    assert state(interrupted) == state(clean)
    assert state(interrupted)["job"]["status"] == "done"


def test_a_finished_or_fileless_job_is_not_resumed(tmp_path, workspace):
    table = open_table(people_file(tmp_path / "people.csv", 3))
    report = import_run(workspace=workspace, actor=None, table=table)
    with pytest.raises(ValueError, match=f"Import {report.job.pk} is finished"):
        import_resume(report.job)
    bare = ImportJob.objects.create(workspace=workspace, file_name="gone.csv", status="failed")
    with pytest.raises(ValueError, match="kept no file"):
        import_resume(bare)


def test_a_finished_import_keeps_no_copy_of_the_file(tmp_path, workspace, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    table = open_table(people_file(tmp_path / "people.csv", 3))
    job = importing.import_job_create(workspace=workspace, actor=None, table=table)
    stored = Path(job.file.path)
    assert stored.exists()  # kept while the job may run or resume
    report = import_run(workspace=workspace, actor=None, job=job)
    job.refresh_from_db()
    assert report.created == 3 and job.status == ImportJob.Status.DONE
    assert not job.file and not stored.exists()


def test_a_second_run_of_the_same_job_stops_without_importing_again(
    tmp_path, workspace, monkeypatch
):
    table = open_table(people_file(tmp_path / "people.csv", 25))
    job = importing.import_job_create(workspace=workspace, actor=None, table=table, batch_size=10)
    # Another process committed the first batch meanwhile: the job's checkpoint moved.
    ImportJob.objects.filter(pk=job.pk).update(next_row=11)
    with pytest.raises(importing.ImportConflict, match="being run by another process"):
        importing._start(job, table, None, None)
    assert not Customer.objects.in_workspace(workspace).exists()
    job.refresh_from_db()
    assert job.status == "running" and job.next_row == 11  # left to the other run


def test_the_command_resumes_a_job(tmp_path, workspace, capsys, monkeypatch):
    path = people_file(tmp_path / "people.csv", 40)
    real_write = importing._Importer.write
    calls = {"n": 0}

    def write_failing_in_the_second_batch(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("lost the database")
        real_write(self, batch)

    monkeypatch.setattr(importing._Importer, "write", write_failing_in_the_second_batch)
    with pytest.raises(RuntimeError):
        call_command("import", str(path), "--workspace", "acme", "--batch-size", "15")
    job = ImportJob.objects.get()
    assert f"Import {job.pk}. If it stops, `patron import --resume {job.pk}`" in (
        capsys.readouterr().out
    )
    monkeypatch.setattr(importing._Importer, "write", real_write)
    call_command("import", "--resume", str(job.pk), "--progress-every", "1")
    out = capsys.readouterr().out
    assert f"Resuming import {job.pk} of people.csv after row 15 (acme)." in out
    assert "… 30 rows" in out and "… 40 rows" in out
    assert "40 rows read: 35 were created, 3 updated, 0 unchanged, 0 skipped, 2 failed." in out
    with pytest.raises(CommandError, match="is finished"):
        call_command("import", "--resume", str(job.pk))
    with pytest.raises(CommandError, match=f"No import {job.pk} \\(in this workspace\\)"):
        call_command("import", "--resume", str(job.pk), "--workspace", "rival")


def _database_url() -> str:
    """The test database, for a `patron` process of its own."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_kill_9_in_the_middle_then_resume_ends_as_a_clean_run(tmp_path):
    interrupted = WorkspaceFactory(slug="interrupted")
    clean = WorkspaceFactory(slug="clean")
    for each in (interrupted, clean):
        make_customer(each, None, first_name="Ada", last_name="Lovelace", email="ada@example.com")
    path = people_file(tmp_path / "people.csv", 3000)
    arguments = ["--usage", "email", "--batch-size", "50", "--progress-every", "50"]
    call_command("import", str(path), "--workspace", "clean", *arguments)

    env = {**os.environ, "DATABASE_URL": _database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "patron", "import", str(path), "--workspace",
         "interrupted", *arguments],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
        cwd=Path(settings.BASE_DIR).parent,
    )  # fmt: skip
    seen = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith("… ") and int(line[2:].split()[0].replace(",", "")) >= 500:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL, "".join(seen)

    job = ImportJob.objects.get(workspace=interrupted)
    assert job.status == "running" and 500 <= job.rows < 3000  # killed halfway
    assert job.next_row == job.rows + 1
    imported = Customer.objects.in_workspace(interrupted).count() - 1
    assert imported == job.created  # the job describes what is in the database
    call_command("import", "--resume", str(job.pk))
    assert state(interrupted) == state(clean)
    job.refresh_from_db()
    assert ImportFailure.objects.filter(job=job).count() == job.failed == 3000 // 17
