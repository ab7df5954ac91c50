import pytest
from django.core.management import CommandError, call_command

from patron.marketing.models import CustomerTrait
from patron.updates.models import BulkUpdate


@pytest.fixture
def file(tmp_path, jane, john):
    path = tmp_path / "golfers.csv"
    path.write_text(f"Customer no.,Trait\n{jane.number},Golfer\n{john.number},Sailor\n")
    return path


def run(*args):
    return call_command("update_customers", *args)


def test_bad_rows_are_printed_and_nothing_is_applied(workspace, golfer, file, capsys):
    with pytest.raises(CommandError, match="1 row of the file has errors, so nothing was"):
        run("--workspace", "acme", "--kind", "traits", str(file))
    out, err = capsys.readouterr()
    assert "Row 3, Trait: No trait is named “Sailor” (known: Golfer)." in err
    assert "golfers.csv: 2 rows: 1 to change, 0 already so, 1 bad" in out
    assert not CustomerTrait.objects.exists()
    assert not BulkUpdate.objects.exists()


def test_skip_bad_rows_applies_the_good_ones(workspace, golfer, jane, file, capsys):
    run("--workspace", "acme", "--kind", "traits", "--skip-bad-rows", str(file))
    out, _ = capsys.readouterr()
    assert "Applied: 1 added to 1 customers, 0 already so, 1 bad rows skipped" in out
    assert CustomerTrait.objects.get().customer == jane
    bulk_update = BulkUpdate.objects.get()
    assert bulk_update.state == BulkUpdate.State.APPLIED and bulk_update.uploaded_by is None


def test_dry_run_keeps_nothing(workspace, golfer, file, capsys):
    run("--workspace", "acme", "--kind", "traits", "--skip-bad-rows", "--dry-run", str(file))
    assert "Dry run: nothing was changed." in capsys.readouterr().out
    assert not CustomerTrait.objects.exists() and not BulkUpdate.objects.exists()


def test_unknown_workspace_missing_file_and_unreadable_file(workspace, tmp_path):
    with pytest.raises(CommandError, match="No workspace with the slug “nope”"):
        run("--workspace", "nope", "--kind", "traits", "x.csv")
    with pytest.raises(CommandError, match="No such file"):
        run("--workspace", "acme", "--kind", "traits", str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("Customer no.,Colour\n1,Red\n")
    with pytest.raises(CommandError, match=r"bad\.csv: The header row has no Trait column"):
        run("--workspace", "acme", "--kind", "traits", str(bad))
