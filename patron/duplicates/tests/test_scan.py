from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from patron.customers.services import customer_delete
from patron.duplicates import services
from patron.duplicates.models import DuplicateCandidate, DuplicateScan, NotDuplicate
from patron.history.services import changes_for
from patron.testing.factories import make_customer


def test_a_scan_finds_the_pair_with_reasons_and_leaves_the_other_customer_alone(
    workspace, admin, twins, scan_now
):
    jane, janet, _ = twins
    scan = scan_now()
    assert scan.state == DuplicateScan.State.DONE
    assert (scan.customer_count, scan.read_count, scan.candidate_count) == (3, 3, 1)
    assert scan.compared_count >= 1
    pair = DuplicateCandidate.objects.get()
    assert (pair.customer_a, pair.customer_b) == (jane, janet)
    assert pair.score > 0.9
    assert "surname 1 typo" in pair.reasons
    assert "date of birth with day and month swapped" in pair.reasons


def test_reading_in_chunks_finds_pairs_across_chunks(
    workspace, admin, twins, monkeypatch, scan_now
):
    monkeypatch.setattr(services, "READ_CHUNK", 1)
    scan = scan_now()
    assert (scan.read_count, scan.candidate_count) == (3, 1)


def test_customers_in_the_recycle_bin_are_not_scanned(workspace, admin, twins, scan_now):
    customer_delete(customer=twins[1], actor=admin)
    scan = scan_now()
    assert (scan.read_count, scan.candidate_count) == (2, 0)


def test_a_scan_sees_only_its_own_workspace(workspace, other_workspace, admin, twins, scan_now):
    make_customer(other_workspace, first_name="Jane", last_name="Whitfield", postcode="LS1 4AB")
    scan_now(other_workspace, None)
    assert not DuplicateCandidate.objects.filter(workspace=other_workspace).exists()


def test_not_a_duplicate_is_remembered_and_never_proposed_again(workspace, admin, twins, scan_now):
    jane, janet, _ = twins
    scan_now()
    pair = DuplicateCandidate.objects.get()
    services.candidate_not_duplicate(candidate=pair, actor=admin)
    assert NotDuplicate.objects.filter(customer_a=jane, customer_b=janet).exists()
    for customer, other in ((jane, janet), (janet, jane)):
        change = changes_for(customer).first()
        assert change.fields[0]["label"] == "Not a duplicate of"
        assert change.fields[0]["new"] == f"{other} (customer no. {other.number})"
        assert change.actor == admin
    scan = scan_now()
    assert scan.candidate_count == 0
    assert list(DuplicateCandidate.objects.values_list("status", flat=True)) == ["not_duplicate"]
    with pytest.raises(ValidationError, match="already judged"):
        services.candidate_not_duplicate(candidate=pair, actor=admin)


def test_a_new_scan_replaces_the_open_pairs_of_the_last(workspace, admin, twins, scan_now):
    scan_now()
    first = DuplicateCandidate.objects.get()
    scan_now()
    second = DuplicateCandidate.objects.get()
    assert second.pk != first.pk and second.scan_id != first.scan_id


def test_only_one_scan_at_a_time(workspace, admin, scan_now):
    DuplicateScan.objects.create(workspace=workspace, state=DuplicateScan.State.RUNNING)
    with pytest.raises(ValidationError, match="already under way"):
        scan_now()
    assert DuplicateScan.objects.count() == 1


def test_a_failed_scan_says_why_and_stores_nothing(workspace, admin, twins, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_store", broken)
    scan = services.scan_create(workspace=workspace, actor=admin, via="test")
    with pytest.raises(RuntimeError):
        services.scan_run(scan_id=scan.pk)
    scan.refresh_from_db()
    assert (scan.state, scan.error) == (DuplicateScan.State.FAILED, "disk full")
    assert not DuplicateCandidate.objects.exists()


def test_the_scan_runs_in_the_worker_when_tasks_are_queued(
    workspace, admin, twins, run_worker, scan_now
):
    scan = scan_now()
    assert scan.state == DuplicateScan.State.QUEUED
    run_worker()
    scan.refresh_from_db()
    assert (scan.state, scan.candidate_count) == (DuplicateScan.State.DONE, 1)


def test_a_scan_whose_worker_died_no_longer_blocks_a_new_one(workspace, admin, twins, scan_now):
    from django.utils import timezone

    dead = DuplicateScan.objects.create(workspace=workspace, state=DuplicateScan.State.RUNNING)
    DuplicateScan.objects.filter(pk=dead.pk).update(
        updated_at=timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    )
    scan = scan_now()
    assert (scan.state, scan.candidate_count) == (DuplicateScan.State.DONE, 1)


def test_a_scan_in_two_processes_stores_what_one_process_stores(
    workspace, admin, twins, monkeypatch, scan_now
):
    for n in range(6):
        for last_name in ("Okafor", "Okafour"):
            make_customer(
                workspace,
                first_name=f"Ada{'b' * n}",
                last_name=last_name,
                date_of_birth=f"197{n}-03-04",
                postcode="LS1 4AB",
            )
    monkeypatch.setattr(services, "PARALLEL_FROM", 0)
    monkeypatch.setattr(services.engine, "CHUNK_PAIRS", 1)
    monkeypatch.setattr(services, "_cores", lambda: 2)
    forked = []
    find = services.engine.find_duplicates
    monkeypatch.setattr(
        services.engine,
        "find_duplicates",
        lambda *args, **kwargs: forked.append(kwargs["workers"]) or find(*args, **kwargs),
    )

    def pairs(workers: int):
        monkeypatch.setattr(services, "SCAN_WORKERS", workers)
        scan = scan_now()
        found = DuplicateCandidate.objects.filter(scan=scan).order_by("pk")
        return scan.compared_count, [
            (p.customer_a_id, p.customer_b_id, p.score, p.reasons) for p in found
        ]

    alone, shared = pairs(1), pairs(2)
    assert forked == [1, 2]
    jane, janet, _ = twins
    assert alone[1][0][:2] == (jane.pk, janet.pk)
    assert len(alone[1]) > 10  # Okafors and Okafours near enough in name and birth
    assert shared == alone


def test_a_small_scan_compares_in_one_process_a_big_one_on_each_core(workspace, monkeypatch):
    blocks = services.engine.blocking(
        [
            services.engine.prepare({"id": n, "last_name": "Smith", "postcode": "AB1"})
            for n in range(5)
        ]
    )
    monkeypatch.setattr(services, "_cores", lambda: 4)
    assert blocks.pair_bound() == 10  # five Smiths at one postcode
    assert services.scan_workers(blocks) == 1
    monkeypatch.setattr(services, "PARALLEL_FROM", 10)
    assert services.scan_workers(blocks) == services.SCAN_WORKERS == 2
    monkeypatch.setattr(services, "_cores", lambda: 1)
    assert services.scan_workers(blocks) == 1
