import datetime

import pytest
from django.core.exceptions import ValidationError

from patron.campaigns import services as campaign_services
from patron.campaigns.models import Status, Step
from patron.customers.services import customer_delete
from patron.marketing import services as marketing_services
from patron.marketing.models import SuppressionType
from patron.testing.factories import make_customer
from patron.updates.models import BulkUpdate
from patron.updates.services import bulk_update_preview


def preview(workspace, admin, kind, text, file_name="update.csv"):
    return bulk_update_preview(
        workspace=workspace, kind=kind, file_name=file_name, content=text.encode(), actor=admin
    )


def errors(result):
    return [(e.row, e.column, e.reason) for e in result.errors]


def test_a_trait_file_says_what_each_row_will_do(workspace, admin, jane, john, golfer):
    marketing_services.customer_trait_add(customer=john, trait=golfer, actor=admin)
    result = preview(
        workspace,
        admin,
        "traits",
        f"Customer no.,Trait\n{jane.number},golfer\n{john.number},Golfer\n",
    )
    assert [o.text for o in result.changes] == [f"Add the trait Golfer to {jane.number} Jane Smith"]
    assert [o.text for o in result.unchanged] == [
        f"{john.number} John Brown already has the trait Golfer"
    ]
    assert result.counts == {"rows": 2, "changes": 1, "unchanged": 1, "errors": 0}
    kept = BulkUpdate.objects.get()
    assert (kept.kind, kept.file_name, kept.state, kept.uploaded_by) == (
        "traits",
        "update.csv",
        BulkUpdate.State.PREVIEWED,
        admin,
    )
    assert "golfer" in kept.content


def test_each_bad_row_is_named_with_its_column_and_reason(
    workspace, other_workspace, admin, jane, john, golfer
):
    foreign = make_customer(other_workspace, None, last_name="Foreign")
    deleted = make_customer(workspace, admin, last_name="Gone")
    customer_delete(customer=deleted, actor=admin)
    text = "\n".join(
        [
            "Customer no.,Trait",
            f"{jane.number},Golfer",
            "Jane,Golfer",
            "99999,Golfer",
            f"{foreign.number + 1000},Golfer",
            f"{deleted.number},Golfer",
            f"{john.number},Sailor",
            f"{john.number},",
            ",Golfer",
            f"{jane.number},GOLFER",
        ]
    )
    result = preview(workspace, admin, "traits", text)
    assert errors(result) == [
        (
            3,
            "Customer no.",
            "“Jane” is not a customer no.: give the number shown on the "
            "customer's page, e.g. 1043.",
        ),
        (4, "Customer no.", "No customer has the customer no. 99999."),
        (5, "Customer no.", f"No customer has the customer no. {foreign.number + 1000}."),
        (6, "Customer no.", f"Customer {deleted.number} Ada Gone is deleted (in the recycle bin)."),
        (7, "Trait", "No trait is named “Sailor” (known: Golfer)."),
        (8, "Trait", "Missing: give the trait's name."),
        (9, "Customer no.", "Missing: give the customer no."),
        (10, "", "Repeats row 2: remove one of them."),
    ]
    assert result.counts == {"rows": 9, "changes": 1, "unchanged": 0, "errors": 8}


def test_a_customer_of_another_workspace_is_unknown(workspace, other_workspace, admin, jane):
    foreign = make_customer(other_workspace, None, last_name="Foreign")
    marketing_services.trait_create(workspace=workspace, actor=admin, data={"name": "Golfer"})
    # The other workspace's numbers start at 1 too: pick one this workspace does not have.
    for _ in range(3):
        foreign = make_customer(other_workspace, None, last_name="Foreign")
    result = preview(workspace, admin, "traits", f"{foreign.number},Golfer\n")
    assert errors(result) == [
        (1, "Customer no.", f"No customer has the customer no. {foreign.number}.")
    ]
    assert "Foreign" not in str(result.errors)


def test_suppressions_with_dates(workspace, admin, jane, john):
    do_not_email = SuppressionType.objects.get(workspace=workspace, name="Do not email")
    marketing_services.suppression_add(
        customer=john, suppression_type=do_not_email, actor=admin, date=datetime.date(2026, 1, 2)
    )
    text = (
        f"{jane.number};do not email;23/11/2026\n"
        f"{john.number};Do not email;\n"
        f"{jane.number};Gone away;31/11/2026\n"
        f"{john.number};Dead;\n"
    )
    result = preview(workspace, admin, "suppressions", text)
    assert [o.text for o in result.changes] == [
        f"Add the suppression Do not email from 23/11/2026 to {jane.number} Jane Smith"
    ]
    assert [o.text for o in result.unchanged] == [
        f"{john.number} John Brown already has the suppression Do not email (since 02/01/2026)"
    ]
    assert [(e.row, e.column) for e in result.errors] == [(3, "Date"), (4, "Suppression")]
    assert result.errors[0].reason == (
        "“31/11/2026” is not a date: write it as 23/11/2026 or 2026-11-23."
    )
    assert result.errors[1].reason.startswith(
        "No suppression type is named “Dead” (known: Deceased"
    )


def test_two_rows_of_one_suppression_on_different_dates_repeat(workspace, admin, jane):
    result = preview(
        workspace,
        admin,
        "suppressions",
        f"{jane.number},Gone away,01/01/2026\n{jane.number},Gone away,02/01/2026\n",
    )
    assert errors(result) == [(2, "", "Repeats row 1: remove one of them.")]


def test_fulfilments_by_activity_no_name_or_reference_code(workspace, admin, jane, spring):
    text = "\n".join(
        [
            "Customer no.,Date,Type,Activity,Ref. code",
            f"{jane.number},23/11/2026,Send brochure,{spring.number},",
            f"{jane.number},2026-11-24,Send brochure,spring mailing,",
            f"{jane.number},25/11/2026,Send brochure,,spring27",
            f"{jane.number},26/11/2026,Send brochure,{spring.number},SPRING27",
        ]
    )
    result = preview(workspace, admin, "fulfilments", text)
    assert result.errors == []
    assert result.changes[0].text == (
        f"Add the fulfilment Send brochure under activity {spring} on 23/11/2026 for "
        f"{jane.number} Jane Smith"
    )
    assert {o.target for o in result.changes} == {spring}


def test_fulfilment_errors(workspace, admin, jane, spring):
    planned = campaign_services.activity_create(
        workspace=workspace, actor=admin, data={"name": "Autumn", "reference_code": "AUT"}
    )
    for _ in range(2):
        campaign_services.activity_create(
            workspace=workspace,
            actor=admin,
            data={"name": "Twin", "status": Status.ACTIVE, "step": Step.STARTED},
        )
    campaign_services.fulfilment_create(
        customer=jane,
        activity=spring,
        date=datetime.date(2026, 11, 1),
        fulfilment_type="Send brochure",
        actor=admin,
    )
    n = jane.number
    text = "\n".join(
        [
            f"{n},01/11/2026,send brochure,{spring.number}",  # 1: already has it
            f"{n},02/11/2026,Send brochure,{planned.number}",  # 2: not running
            f"{n},02/11/2026,Send brochure,,AUT",  # 3: not running, by code
            f"{n},02/11/2026,Send brochure,Twin",  # 4: ambiguous name
            f"{n},02/11/2026,Send brochure,{spring.number},AUT",  # 5: two activities
            f"{n},02/11/2026,Send brochure,,NOPE",  # 6: unknown code
            f"{n},02/11/2026,Send brochure,999",  # 7: unknown number
            f"{n},02/11/2026,Send brochure",  # 8: no activity
            f"{n},,Send brochure,{spring.number}",  # 9: no date
            f"{n},2026-13-01,,{spring.number}",  # 10: bad date, no type
            f"{n},03/11/2026,Call back,{spring.number},,surplus",  # 11: an extra cell
        ]
    )
    result = preview(workspace, admin, "fulfilments", text)
    assert [o.row for o in result.unchanged] == [1]
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Activity"),
        (3, "Ref. code"),
        (4, "Activity"),
        (5, "Ref. code"),
        (6, "Ref. code"),
        (7, "Activity"),
        (8, "Activity"),
        (9, "Date"),
        (10, "Date"),
        (10, "Type"),
        (11, ""),
    ]
    reasons = [e.reason for e in result.errors]
    assert reasons[0] == (
        f"Activity {planned} is Active and Planned: only an Active activity at step Started "
        "can be fulfilled. Change its step to Started (and make it Active) first."
    )
    assert reasons[2].startswith("2 activities are named “Twin” (nos. ")
    assert reasons[3] == (
        f"The reference code AUT is activity {planned}'s, but the Activity column says "
        f"{spring}: the row names two activities."
    )
    assert reasons[4] == "No activity has the reference code “NOPE”."
    assert reasons[5] == "No activity no. “999”."
    assert reasons[6] == "Missing: give the activity (its no. or name) or its Ref. code."
    assert reasons[8] == "“2026-13-01” is not a date: write it as 23/11/2026 or 2026-11-23."
    assert reasons[9] == "Missing: say what was done, e.g. Send brochure."
    assert reasons[10].startswith("Unexpected extra value “surplus”: the columns are Customer no.")


def test_an_unreadable_file_keeps_nothing(workspace, admin):
    with pytest.raises(ValidationError, match="no Trait column"):
        preview(workspace, admin, "traits", "Customer no.,Colour\n1,Red\n")
    with pytest.raises(ValidationError):
        preview(workspace, admin, "colours", "1,Red\n")
    assert not BulkUpdate.objects.exists()


def test_lookups_are_set_based(workspace, admin, golfer, django_assert_max_num_queries):
    customers = [make_customer(workspace, admin, last_name=f"N{i}") for i in range(30)]
    text = "".join(f"{c.number},Golfer\n" for c in customers)
    # The upload's own (a savepoint, its checks, its insert), one each for the customers,
    # the traits, and the traits the customers have, and three to keep the preview (its
    # lines in place of any, their insert, the counts): not one per row.
    with django_assert_max_num_queries(11):
        result = preview(workspace, admin, "traits", text)
    assert len(result.changes) == 30
