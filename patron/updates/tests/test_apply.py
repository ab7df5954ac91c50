import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from patron.campaigns import services as campaign_services
from patron.campaigns.models import Fulfilment, Step
from patron.customers.models import Customer
from patron.history.models import Change
from patron.marketing import services as marketing_services
from patron.marketing.models import CustomerTrait, Suppression, SuppressionType
from patron.updates.models import BulkUpdate
from patron.updates.services import bulk_update_apply, bulk_update_preview


def upload(workspace, admin, kind, text, file_name="update.csv"):
    return bulk_update_preview(
        workspace=workspace, kind=kind, file_name=file_name, content=text.encode(), actor=admin
    ).bulk_update


def customer_changes(customer):
    return Change.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id=customer.pk
    ).exclude(action=Change.Action.CREATE)


def test_a_file_with_errors_applies_nothing_unless_told_to_skip(workspace, admin, jane, golfer):
    bulk_update = upload(
        workspace, admin, "traits", f"{jane.number},Golfer\n{jane.number},Sailor\n"
    )
    with pytest.raises(ValidationError) as error:
        bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=False, actor=admin)
    assert error.value.messages == [
        "1 row of the file has errors, so nothing was applied. Fix the file and upload it "
        "again, or apply it skipping the bad rows."
    ]
    assert not CustomerTrait.objects.exists()
    bulk_update.refresh_from_db()
    assert bulk_update.state == BulkUpdate.State.PREVIEWED

    applied = bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=True, actor=admin)
    assert list(jane.customer_traits.values_list("trait__name", flat=True)) == ["Golfer"]
    assert applied.state == BulkUpdate.State.APPLIED and applied.applied_at
    assert applied.result["created"] == 1
    assert applied.result["skipped"] == 1
    assert applied.result["customers"] == 1
    assert applied.result["errors"] == [
        {
            "row": 2,
            "column": "Trait",
            "value": "Sailor",
            "reason": "No trait is named “Sailor” (known: Golfer).",
        }
    ]


def test_applying_twice_is_refused(workspace, admin, jane, golfer):
    bulk_update = upload(workspace, admin, "traits", f"{jane.number},Golfer\n")
    bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=False, actor=admin)
    with pytest.raises(ValidationError, match="already applied"):
        bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=True, actor=admin)
    assert CustomerTrait.objects.count() == 1


def test_traits_are_recorded_in_each_customers_history(workspace, admin, jane, john, golfer):
    sailor = marketing_services.trait_create(
        workspace=workspace, actor=admin, data={"name": "sailor"}
    )
    marketing_services.customer_trait_add(customer=jane, trait=sailor, actor=admin)
    text = f"{jane.number},Golfer\n{john.number},Golfer\n{john.number},Sailor\n"
    bulk_update = upload(workspace, admin, "traits", text, file_name="C:\\exports\\golf.csv")
    assert bulk_update.file_name == "golf.csv"
    bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=False, actor=admin)
    change = customer_changes(jane).first()
    assert (change.via, change.reason, change.actor, change.action) == (
        "bulk update",
        "Bulk update from the file golf.csv",
        admin,
        Change.Action.UPDATE,
    )
    assert change.fields == [
        {"field": "traits", "label": "Traits", "old": "sailor", "new": "Golfer, sailor"}
    ]
    assert [c.fields[0]["new"] for c in customer_changes(john)] == ["Golfer, sailor"]


def test_suppressions_are_written_with_their_dates_and_history(workspace, admin, jane):
    gone = SuppressionType.objects.get(workspace=workspace, name="Gone away")
    marketing_services.suppression_add(
        customer=jane,
        suppression_type=gone,
        actor=admin,
        date=datetime.date(2026, 1, 2),
        note="Post back",
    )
    bulk_update = upload(
        workspace, admin, "suppressions", f"{jane.number},Do not email,23/11/2026\n"
    )
    bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=False, actor=admin)
    suppression = Suppression.objects.get(suppression_type__name="Do not email")
    assert (suppression.customer, suppression.date) == (jane, datetime.date(2026, 11, 23))
    assert customer_changes(jane).first().fields == [
        {
            "field": "suppressions",
            "label": "Suppressions",
            "old": "Gone away since 02/01/2026 (Post back)",
            "new": "Do not email since 23/11/2026, Gone away since 02/01/2026 (Post back)",
        }
    ]


def test_fulfilments_are_written_with_history(workspace, admin, jane, spring):
    text = f"{jane.number},23/11/2026,Send brochure,,SPRING27\n"
    bulk_update = upload(workspace, admin, "fulfilments", text)
    bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=False, actor=admin)
    fulfilment = Fulfilment.objects.get()
    assert (fulfilment.customer, fulfilment.activity, fulfilment.date, fulfilment.created_by) == (
        jane,
        spring,
        datetime.date(2026, 11, 23),
        admin,
    )
    own = Change.objects.get(
        content_type=ContentType.objects.get_for_model(Fulfilment), object_id=fulfilment.pk
    )
    assert own.action == Change.Action.CREATE and own.via == "bulk update"
    assert {f["field"]: f["new"] for f in own.fields} == {
        "activity": str(spring),
        "date": "2026-11-23",
        "fulfilment_type": "Send brochure",
    }
    assert customer_changes(jane).first().fields[0]["new"] == (
        "Send brochure (Spring mailing, 23/11/2026)"
    )


def test_apply_checks_again_what_changed_since_the_preview(workspace, admin, jane, spring):
    bulk_update = upload(
        workspace, admin, "fulfilments", f"{jane.number},23/11/2026,Send brochure,,SPRING27\n"
    )
    campaign_services.activity_change_step(activity=spring, step=Step.COMPLETED, actor=admin)
    with pytest.raises(ValidationError, match="1 row of the file has errors"):
        bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=False, actor=admin)
    applied = bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=True, actor=admin)
    assert not Fulfilment.objects.exists()
    assert applied.result["skipped"] == 1
    assert "is Active and Completed" in applied.result["errors"][0]["reason"]


def test_a_failure_midway_leaves_nothing(workspace, admin, jane, john, golfer, monkeypatch):
    bulk_update = upload(
        workspace, admin, "traits", f"{jane.number},Golfer\n{john.number},Golfer\n"
    )

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # The traits are written, then History fails: the traits must go too.
    monkeypatch.setattr(Change.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=False, actor=admin)
    assert not CustomerTrait.objects.exists()
    bulk_update.refresh_from_db()
    assert bulk_update.state == BulkUpdate.State.PREVIEWED


def test_five_thousand_rows_apply_in_a_bounded_number_of_queries(
    workspace, admin, golfer, django_assert_max_num_queries
):
    # Customers made in bulk: the service would take a minute for 5,000.
    Customer.objects.bulk_create(
        Customer(workspace=workspace, number=10_000 + i, last_name=f"N{i}", name_key=f"n{i}")
        for i in range(5_000)
    )
    text = "Customer no.,Trait\n" + "".join(f"{10_000 + i},Golfer\n" for i in range(5_000))
    bulk_update = upload(workspace, admin, "traits", text)
    # Per row it would be at least 10,000 (a trait and a History row each); set-based it is
    # a few chunked lookups and batched inserts.
    with django_assert_max_num_queries(40):
        applied = bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=False, actor=admin)
    assert applied.result["created"] == 5_000
    assert CustomerTrait.objects.filter(trait=golfer).count() == 5_000
    assert Change.objects.filter(via="bulk update").count() == 5_000
