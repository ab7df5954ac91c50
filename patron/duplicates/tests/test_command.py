import csv
import io

import pytest
from django.core.management import CommandError, call_command

from patron.duplicates.models import DuplicateScan


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("duplicates", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_each_pair_with_score_reasons_numbers_and_ext_refs(workspace, twins):
    jane, janet, _ = twins
    out, err = run("--workspace", "acme")
    lines = out.splitlines()
    assert len(lines) == 2  # one pair: the pair, then its reasons
    assert f"no. {jane.number} (ext. ref. CRM-17) Jane Whitfield" in lines[0]
    assert f"no. {janet.number} Jane Whitfeild" in lines[0]
    assert "surname 1 typo" in lines[1]
    assert "3 customers read" in err and "1 likely duplicate pairs" in err
    assert DuplicateScan.objects.get().via == "command"


def test_csv_has_a_header_and_one_row_per_pair(workspace, twins):
    jane, janet, _ = twins
    out, _ = run("--workspace", "acme", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["customer_no_a"], row["ext_ref_a"], row["name_a"]) == (
        str(jane.number),
        "CRM-17",
        "Jane Whitfield",
    )
    assert (row["customer_no_b"], row["ext_ref_b"]) == (str(janet.number), "")
    assert 0.9 < float(row["score"]) <= 1
    assert "date of birth with day and month swapped" in row["reasons"]


def test_an_unknown_workspace_is_refused(db):
    with pytest.raises(CommandError, match="No workspace with the slug “nowhere”"):
        run("--workspace", "nowhere")
