"""The import wizard's "Check all rows" (steps 4 and 5): a file longer than the pages check
is checked whole in the background (the import's own dry run), nothing written."""

from dataclasses import asdict, dataclass, field
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from patron.customers.models import Customer
from patron.exchange import checking, importing, likely
from patron.exchange.models import ImportCheck, ImportJob
from patron.exchange.tests.test_import_pages import mapping_post, start, upload_file
from patron.history.models import Change
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role

# 20 data rows (spreadsheet rows 2-21): the page checks the first 5; rows 12 and 19 have a
# bad email, and row 16 is a customer already here (by her email), with a new last name.
ROWS = [f"Person{n},person{n}@example.com" for n in range(1, 21)]
ROWS[10] = "Broken,not-an-email"
ROWS[17] = "Worse,also@bad@example"
ROWS[14] = "King,ADA@example.com"
BIG_FILE = "Last name,Email\n" + "\n".join(ROWS) + "\n"
NOT_AN_EMAIL = "Enter a valid email address"


@pytest.fixture
def big_draft(admin_client, monkeypatch):
    monkeypatch.setattr("patron.exchange.jobs.PREVIEW_ROWS", 5)
    start(admin_client)
    job = upload_file(admin_client, name="big.csv", text=BIG_FILE)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    return job


def check_all_rows(client, job, django_capture_on_commit_callbacks, step="validation"):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/customers/import/{job.pk}/check/", {"step": step})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/import/{job.pk}/{step}/"


def test_a_file_longer_than_the_page_checks_offers_to_check_all_rows(admin_client, big_draft):
    for step in ("validation", "matching"):
        page = admin_client.get(f"/customers/import/{big_draft.pk}/{step}/").content.decode()
        assert "Checked the first 5 rows of the file here" in page
        assert f'action="/customers/import/{big_draft.pk}/check/"' in page
        assert "Check all rows</button>" in page
        assert NOT_AN_EMAIL not in page  # the bad rows are past the first five


def test_a_short_file_is_checked_whole_on_the_page_without_the_button(admin_client):
    start(admin_client)
    job = upload_file(admin_client, name="big.csv", text=BIG_FILE)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    page = admin_client.get(f"/customers/import/{job.pk}/validation/").content.decode()
    assert "Checked all 20 rows of the file." in page
    assert "Check all rows</button>" not in page


def test_checking_all_rows_shows_the_whole_files_bad_rows_and_counts_and_writes_nothing(
    admin_client, big_draft, customer, django_capture_on_commit_callbacks
):
    changes = Change.objects.count()
    check_all_rows(admin_client, big_draft, django_capture_on_commit_callbacks)

    page = admin_client.get(f"/customers/import/{big_draft.pk}/validation/").content.decode()
    assert "Checked every row of the file (20 rows) with this mapping" in page
    assert "2 bad rows" in page
    assert f"<td>12</td><td>Email</td><td>{NOT_AN_EMAIL}" in page
    assert f"<td>19</td><td>Email</td><td>{NOT_AN_EMAIL}" in page
    assert "Check all rows</button>" not in page

    page = admin_client.get(f"/customers/import/{big_draft.pk}/matching/").content.decode()
    assert "Checked every row of the file (20 rows)" in page
    assert "<strong>17</strong> to create" in page
    assert "<strong>1</strong> to update" in page  # row 16, Ada by her email
    assert "<strong>2</strong> bad rows" in page
    assert "Import, skipping the 2 bad rows" in page

    assert list(Customer.objects.values_list("pk", flat=True)) == [customer.pk]
    assert Change.objects.count() == changes
    check = ImportCheck.objects.get(job=big_draft)
    assert (check.status, check.rows, check.failed) == ("done", 20, 2)


def test_with_a_worker_the_page_follows_the_check_then_shows_it(
    admin_client, big_draft, run_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # queued for the worker
        admin_client.post(f"/customers/import/{big_draft.pk}/check/", {"step": "matching"})
    progress = f"/customers/import/{big_draft.pk}/check/progress/?step=matching"
    page = admin_client.get(f"/customers/import/{big_draft.pk}/matching/").content.decode()
    assert f'hx-get="{progress}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "0 of 20 rows checked" in page
    assert "Waiting for a worker to start it." in page
    assert "Checked the first 5 rows" in page  # the first rows' figures until it ends
    assert f'<a href="/customers/import/{big_draft.pk}/matching/">Refresh</a>' in page
    part = admin_client.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert part.lstrip().startswith('<div id="import-check"')
    assert "0 of 20 rows checked" in part
    without_htmx = admin_client.get(progress)
    assert without_htmx["Location"] == f"/customers/import/{big_draft.pk}/matching/"

    run_worker()
    part = admin_client.get(progress, headers={"HX-Request": "true"})
    assert part["HX-Redirect"] == f"/customers/import/{big_draft.pk}/matching/"
    page = admin_client.get(f"/customers/import/{big_draft.pk}/matching/").content.decode()
    assert "Checked every row of the file (20 rows)" in page
    assert 'hx-trigger="every 1s"' not in page


def a_check(job) -> ImportCheck:
    return ImportCheck.objects.create(
        job=job, fields=["last_name", "email"], options=asdict(importing.Options())
    )


def watch_progress(monkeypatch, before_save=None) -> list[int]:
    """The check's saved row count after each of its batches (of 8 rows)."""
    monkeypatch.setattr(checking, "BATCH_ROWS", 8)
    seen = []
    run = checking._Check.run

    def watched(importer, progress):
        def watching(rows):
            if before_save:
                before_save()
            progress(rows)
            seen.append(ImportCheck.objects.get().rows)

        return run(importer, watching)

    monkeypatch.setattr(checking._Check, "run", watched)
    return seen


def test_the_progress_is_saved_batch_by_batch(big_draft, monkeypatch):
    check = a_check(big_draft)
    seen = watch_progress(monkeypatch)
    assert checking.run_check(check.pk).status == "done"
    assert seen == [8, 16, 20]


def test_a_check_replaced_while_it_runs_stops_at_its_next_batch(big_draft, monkeypatch):
    check = a_check(big_draft)
    batches = []

    def replaced():
        batches.append(1)
        ImportCheck.objects.filter(pk=check.pk).delete()  # a new mapping's check came

    watch_progress(monkeypatch, before_save=replaced)
    assert checking.run_check(check.pk) is None
    assert batches == [1]


def test_a_check_keeps_the_first_problems_only_however_many_rows_are_bad(big_draft, monkeypatch):
    """Memory stays flat: every row of a file may be bad, and the report does not grow."""
    monkeypatch.setattr(checking, "PROBLEMS_KEPT", 3)
    rows = "".join(f"Person{n},bad{n}\n" for n in range(50))
    with open(big_draft.file.path, "w") as file:
        file.write("Last name,Email\n" + rows)
    held = []
    run = checking._Check.run

    def watched(importer, progress):
        def watching(rows):
            held.append((len(importer.report.errors), len(importer.report.failed_rows)))
            progress(rows)

        return run(importer, watching)

    monkeypatch.setattr(checking, "BATCH_ROWS", 10)
    monkeypatch.setattr(checking._Check, "run", watched)
    check = checking.run_check(a_check(big_draft).pk)
    assert (check.status, check.rows, check.failed) == ("done", 50, 50)
    assert [problem["row"] for problem in check.problems] == [2, 3, 4]
    assert held == [(3, 0)] * 5


@pytest.mark.parametrize("change", ["mapping", "options"])
def test_a_check_made_with_another_mapping_or_options_no_longer_shows(
    admin_client, big_draft, django_capture_on_commit_callbacks, change
):
    check_all_rows(admin_client, big_draft, django_capture_on_commit_callbacks)
    if change == "mapping":
        admin_client.post(
            f"/customers/import/{big_draft.pk}/mapping/", mapping_post(big_draft, column_1="")
        )
    else:
        start(admin_client, {"customer_type": "customer", "usage": "", "match": "skip"})
    page = admin_client.get(f"/customers/import/{big_draft.pk}/validation/").content.decode()
    assert "Checked every row" not in page
    assert "Checked the first 5 rows of the file here" in page
    assert "Check all rows</button>" in page

    check_all_rows(admin_client, big_draft, django_capture_on_commit_callbacks)
    page = admin_client.get(f"/customers/import/{big_draft.pk}/validation/").content.decode()
    assert "Checked every row of the file (20 rows)" in page
    assert ImportCheck.objects.filter(job=big_draft).count() == 1  # the old one went


def test_a_check_that_cannot_read_the_file_says_why(
    admin_client, big_draft, django_capture_on_commit_callbacks
):
    path = big_draft.file.path
    with open(path, "rb") as file:
        good = file.read()
    with django_capture_on_commit_callbacks() as queued:
        admin_client.post(f"/customers/import/{big_draft.pk}/check/")
    with open(path, "ab") as file:  # the file changes under the check
        file.write(b"Bad,\xff\xfe not text\n")
    for run in queued:
        run()
    check = ImportCheck.objects.get(job=big_draft)
    assert check.status == "failed"
    assert check.message.startswith("Line 22 has a byte (0xFF) that is not UTF-8 text")
    with open(path, "wb") as file:
        file.write(good)
    page = admin_client.get(f"/customers/import/{big_draft.pk}/validation/").content.decode()
    assert "The check of every row stopped: Line 22 has a byte (0xFF) that is not" in page
    assert "Check all rows again</button>" in page


def test_a_check_stopped_by_a_database_error_says_so_at_once(big_draft, monkeypatch, caplog):
    check = a_check(big_draft)

    def broken(importer, progress):
        raise OperationalError("could not serialize access")

    monkeypatch.setattr(checking._Check, "run", broken)
    checking.run_check(check.pk)
    check.refresh_from_db()
    assert check.status == "failed"  # not left running, to be called stalled in 10 minutes
    assert "unexpected error (OperationalError)" in check.message
    assert "Import check" in caplog.text


def test_a_started_import_gets_no_new_check(big_draft):
    stale = ImportJob.objects.get(pk=big_draft.pk)  # read before the import started
    ImportJob.objects.filter(pk=big_draft.pk).update(options={"usage": ""})
    with pytest.raises(ValidationError, match="already been started"):
        checking.import_check_start(
            job=stale, fields=["last_name", "email"], options=importing.Options()
        )
    assert not ImportCheck.objects.filter(job=big_draft).exists()


def test_only_the_first_problems_are_kept_and_all_are_counted(
    admin_client, big_draft, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(checking, "PROBLEMS_KEPT", 1)
    check_all_rows(admin_client, big_draft, django_capture_on_commit_callbacks)
    page = admin_client.get(f"/customers/import/{big_draft.pk}/validation/").content.decode()
    assert "2 bad rows" in page
    assert "<td>12</td>" in page and "<td>19</td>" not in page
    assert "The first 1 problems are listed" in page


def test_another_workspaces_member_cannot_check_or_follow_a_draft(
    client, big_draft, other_workspace, django_capture_on_commit_callbacks
):
    stranger = MembershipFactory(workspace=other_workspace)
    client.force_login(stranger.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/customers/import/{big_draft.pk}/check/").status_code == 404
    assert client.get(f"/customers/import/{big_draft.pk}/check/progress/").status_code == 404
    assert not ImportCheck.objects.exists()


def test_starting_the_import_drops_the_check(
    admin_client, big_draft, django_capture_on_commit_callbacks
):
    check_all_rows(admin_client, big_draft, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/customers/import/{big_draft.pk}/matching/")
    big_draft.refresh_from_db()
    assert (big_draft.status, big_draft.rows, big_draft.failed) == ("done", 20, 2)
    assert not ImportCheck.objects.exists()


# 20 data rows: two look like John Smith (the first within the page's 5 rows, the second
# past them and in the check's third batch of 8), one like Mary Jones (its third batch).
LOOKALIKES = [f"Grace{n},Hopper,grace{n}@example.com," for n in range(20)]
LOOKALIKES[0] = "Jon,Smiht,,SW1A 1AA"
LOOKALIKES[17] = "John,Smyth,,SW1A 1AA"
LOOKALIKES[19] = "Mary,Jonse,,EC1A 1BB"
LOOKALIKES_FILE = "First name,Last name,Email,Postcode\n" + "\n".join(LOOKALIKES) + "\n"


@pytest.fixture
def lookalikes(workspace, admin):
    return {
        "john": make_customer(
            workspace, admin, first_name="John", last_name="Smith", postcode="SW1A 1AA"
        ),
        "mary": make_customer(
            workspace, admin, first_name="Mary", last_name="Jones", postcode="EC1A 1BB"
        ),
    }


@pytest.fixture
def lookalikes_draft(admin_client, monkeypatch):
    monkeypatch.setattr("patron.exchange.jobs.PREVIEW_ROWS", 5)
    monkeypatch.setattr(checking, "BATCH_ROWS", 8)
    start(admin_client)
    job = upload_file(admin_client, text=LOOKALIKES_FILE)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    return job


def test_checking_all_rows_finds_the_likely_duplicates_of_every_row_to_create(
    admin_client, lookalikes, lookalikes_draft, django_capture_on_commit_callbacks
):
    john, mary = lookalikes["john"], lookalikes["mary"]
    matching = f"/customers/import/{lookalikes_draft.pk}/matching/"
    page = admin_client.get(matching).content.decode()
    assert "1 row to create looks like customers already here." in page  # the first 5 rows'
    assert "Row 19 (John Smyth)" not in page

    check_all_rows(admin_client, lookalikes_draft, django_capture_on_commit_callbacks, "matching")
    page = admin_client.get(matching).content.decode()
    assert "Checked every row of the file (20 rows)" in page
    assert "<strong>20</strong> to create" in page
    assert "3 rows to create look like customers already here." in page
    listed = page.split('id="likely-duplicates"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 3
    john_link = f'<a href="/customers/{john.pk}/" target="_blank">#{john.number} John Smith</a>'
    mary_link = f'<a href="/customers/{mary.pk}/" target="_blank">#{mary.number} Mary Jones</a>'
    assert f"Row 2 (Jon Smiht) looks like {john_link}: " in listed
    assert f"Row 19 (John Smyth) looks like {john_link}: " in listed
    assert f"Row 21 (Mary Jonse) looks like {mary_link}: " in listed
    assert "same postcode" in listed
    check = ImportCheck.objects.get(job=lookalikes_draft)
    assert check.likely_duplicates == 3
    assert [(found["row"], found["customer"]) for found in check.duplicates] == [
        (2, john.pk),
        (19, john.pk),
        (21, mary.pk),
    ]
    assert Customer.objects.count() == 2  # nothing written


def test_likely_duplicates_kept_by_another_version_still_show(
    admin_client, lookalikes, lookalikes_draft, django_capture_on_commit_callbacks
):
    check_all_rows(admin_client, lookalikes_draft, django_capture_on_commit_callbacks, "matching")
    # As a version kept them that had a field since dropped, and not one since added.
    kept = ImportCheck.objects.get(job=lookalikes_draft).duplicates
    older = [{**{k: v for k, v in found.items() if k != "score"}, "gone": 1} for found in kept]
    ImportCheck.objects.filter(job=lookalikes_draft).update(duplicates=older)

    page = admin_client.get(f"/customers/import/{lookalikes_draft.pk}/matching/").content.decode()
    assert "3 rows to create look like customers already here." in page
    john = lookalikes["john"]
    assert f'Row 2 (Jon Smiht) looks like <a href="/customers/{john.pk}/"' in page
    [found, *_] = checking.kept_duplicates(ImportCheck.objects.get(job=lookalikes_draft))
    assert (found.row, found.customer, found.score) == (2, john.pk, 0.0)


def test_a_likely_duplicate_loads_from_json_kept_with_other_fields():
    @dataclass
    class Later(likely.LikelyDuplicate):  # the fields a later version may add
        tier: int
        tags: list[str] = field(default_factory=lambda: ["new"])
        note: str | None = "none yet"

    found = Later.from_kept(
        {
            "row": 2,
            "name": "Jon Smiht",
            "customer": 1,
            "customer_number": 7,
            "customer_name": "John Smith",
            "reasons": ["same postcode"],
            "gone": True,
        }
    )
    assert (found.score, found.tier, found.tags, found.note) == (0.0, 0, ["new"], "none yet")
    assert str(found) == "Row 2 (Jon Smiht) looks like #7 John Smith: same postcode"


def test_a_check_keeps_the_first_likely_duplicates_counts_them_all_and_pages_them(
    admin_client, lookalikes, lookalikes_draft, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(likely, "KEPT", 2)
    monkeypatch.setattr("patron.exchange.views.DUPLICATES_PER_PAGE", 1)
    check_all_rows(admin_client, lookalikes_draft, django_capture_on_commit_callbacks, "matching")
    check = ImportCheck.objects.get(job=lookalikes_draft)
    assert check.likely_duplicates == 3
    assert [found["row"] for found in check.duplicates] == [2, 19]

    matching = f"/customers/import/{lookalikes_draft.pk}/matching/"
    page = admin_client.get(matching).content.decode()
    assert "3 rows to create look like customers already here." in page
    assert "Row 2 (Jon Smiht)" in page and "Row 19" not in page
    assert "Page 1 of 2" in page and '<a href="?page=2">Next' in page
    assert "The first 2 are listed." in page
    page = admin_client.get(f"{matching}?page=2").content.decode()
    assert "Row 19 (John Smyth)" in page and "Row 2 (" not in page
    assert "Row 21" not in page


def test_a_running_check_saves_its_counts_so_far_after_each_batch(
    lookalikes, lookalikes_draft, monkeypatch
):
    check = ImportCheck.objects.create(
        job=lookalikes_draft,
        fields=["first_name", "last_name", "email", "postcode"],
        options=asdict(importing.Options()),
    )
    seen = []
    run = checking._Check.run

    def watched(importer, progress):
        def watching(rows):
            progress(rows)
            saved = ImportCheck.objects.get()
            seen.append((saved.rows, saved.created, saved.likely_duplicates, saved.status))

        return run(importer, watching)

    monkeypatch.setattr(checking._Check, "run", watched)
    check = checking.run_check(check.pk)
    assert seen == [(8, 8, 1, "running"), (16, 16, 1, "running"), (20, 20, 3, "running")]
    assert (check.status, check.created, check.likely_duplicates) == ("done", 20, 3)


def test_a_check_whose_worker_died_can_be_made_again(
    admin_client, big_draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # queued, then its worker dies
        admin_client.post(f"/customers/import/{big_draft.pk}/check/")
    check = ImportCheck.objects.get()
    ImportCheck.objects.filter(pk=check.pk).update(
        status="running", rows=8, progressed_at=timezone.now() - timedelta(minutes=9)
    )
    page = admin_client.get(f"/customers/import/{big_draft.pk}/validation/").content.decode()
    assert "8 of 20 rows checked" in page  # slow, but still expected to go on
    assert "Check all rows" not in page

    ImportCheck.objects.filter(pk=check.pk).update(
        progressed_at=timezone.now() - timedelta(minutes=11)
    )
    page = admin_client.get(f"/customers/import/{big_draft.pk}/validation/").content.decode()
    assert "The check of every row stopped after 8 rows: it has not moved on since" in page
    assert 'hx-trigger="every 1s"' not in page
    assert "Check all rows again</button>" in page
    progress = f"/customers/import/{big_draft.pk}/check/progress/"
    part = admin_client.get(progress, headers={"HX-Request": "true"})  # a page left polling
    assert part["HX-Redirect"] == f"/customers/import/{big_draft.pk}/validation/"
    check_all_rows(admin_client, big_draft, django_capture_on_commit_callbacks)
    page = admin_client.get(f"/customers/import/{big_draft.pk}/validation/").content.decode()
    assert "Checked every row of the file (20 rows)" in page


def test_a_read_only_member_cannot_check_a_draft(
    client, big_draft, workspace, django_capture_on_commit_callbacks
):
    reader = MembershipFactory(workspace=workspace, role=Role.READ_ONLY)
    client.force_login(reader.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/customers/import/{big_draft.pk}/check/").status_code == 403
    assert client.get(f"/customers/import/{big_draft.pk}/check/progress/").status_code == 403
    assert not ImportCheck.objects.exists()
