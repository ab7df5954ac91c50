"""Telemarkets and their scripts: create, change step, delete, and editing the steps."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from patron.campaigns.models import Step
from patron.history.services import changes_for
from patron.telemarketing import services
from patron.telemarketing.models import ScriptStep, StepBranch, Telemarket


def _positions(telemarket) -> list[tuple[int, str]]:
    return list(telemarket.steps.order_by("position").values_list("position", "question"))


def test_create_change_step_and_history(workspace, admin):
    telemarket = services.telemarket_create(
        workspace=workspace, actor=admin, data={"name": "Renewals"}
    )
    assert telemarket.step == Step.PLANNED and not telemarket.is_running

    telemarket = services.telemarket_change_step(
        telemarket=telemarket, step=Step.STARTED, actor=admin
    )
    assert telemarket.is_running and telemarket.start_date is not None
    fields = {f["field"]: f["new"] for f in changes_for(telemarket).first().fields}
    assert fields["step"] == "Started"

    with pytest.raises(ValidationError, match="already Started"):
        services.telemarket_change_step(telemarket=telemarket, step=Step.STARTED, actor=admin)
    with pytest.raises(ValidationError, match="Choose a step"):
        services.telemarket_change_step(telemarket=telemarket, step="paused", actor=admin)


def test_names_are_unique_and_dates_ordered(workspace, admin):
    services.telemarket_create(workspace=workspace, actor=admin, data={"name": "Renewals"})
    with pytest.raises(ValidationError, match="already exists"):
        services.telemarket_create(workspace=workspace, actor=admin, data={"name": "renewals"})
    with pytest.raises(ValidationError) as error:
        services.telemarket_create(
            workspace=workspace,
            actor=admin,
            data={
                "name": "Later",
                "start_date": datetime.date(2026, 5, 1),
                "end_date": datetime.date(2026, 4, 1),
            },
        )
    assert "end_date" in error.value.message_dict
    assert Telemarket.objects.count() == 1


def test_delete_is_refused_while_responses_exist(admin, customer, telemarket):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    with pytest.raises(ValidationError, match="has 1 response: delete it first"):
        services.telemarket_delete(telemarket=telemarket, actor=admin)
    services.response_delete(response=response, actor=admin)
    services.telemarket_delete(telemarket=telemarket, actor=admin)
    assert not Telemarket.objects.exists() and not ScriptStep.objects.exists()


def test_positions_stay_contiguous_after_delete_and_move(admin, telemarket, steps):
    services.step_delete(step=steps[0], actor=admin)
    assert _positions(telemarket) == [(1, "Which colour?"), (2, "How many?")]

    services.step_move(step=steps[2], direction="up", actor=admin)
    assert _positions(telemarket) == [(1, "How many?"), (2, "Which colour?")]
    services.step_move(step=steps[2], direction="down", actor=admin)
    assert _positions(telemarket) == [(1, "Which colour?"), (2, "How many?")]

    with pytest.raises(ValidationError, match="already the first step"):
        services.step_move(step=steps[1], direction="up", actor=admin)
    with pytest.raises(ValidationError, match="already the last step"):
        services.step_move(step=steps[2], direction="down", actor=admin)
    added = services.step_add(
        telemarket=telemarket,
        actor=admin,
        data={"question": "Anything else?", "answer_type": ScriptStep.AnswerType.TEXT},
    )
    assert added.position == 3
    script = [f["new"] for c in changes_for(telemarket) for f in c.fields if f["field"] == "script"]
    assert script[0] == "Added 3. Anything else? (Text)"


def test_a_step_answered_in_a_response_cannot_be_deleted(admin, customer, telemarket, steps):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    services.response_answer(response=response, step=steps[0], value="Yes", actor=admin)
    with pytest.raises(ValidationError, match="answered in 1 response"):
        services.step_delete(step=steps[0], actor=admin)
    assert len(_positions(telemarket)) == 3


def test_branches_go_forward_on_an_answer_the_step_offers(admin, telemarket, steps):
    with pytest.raises(ValidationError) as error:
        services.branch_add(step=steps[2], answer="No", goes_to=steps[0], actor=admin)
    assert error.value.message_dict == {
        "answer": [
            "A number question takes no branches: only choice and yes/no answers can be matched."
        ],
        "goes_to": [
            "Choose a step after step 3 (or the end): a jump back could make the script loop."
        ],
    }
    with pytest.raises(ValidationError, match="Choose one of this step's answers: Red, Green"):
        services.branch_add(step=steps[1], answer="Purple", goes_to=None, actor=admin)
    with pytest.raises(ValidationError, match="a jump back"):
        services.branch_add(step=steps[1], answer="Red", goes_to=steps[1], actor=admin)

    branch = services.branch_add(step=steps[0], answer="no", goes_to=steps[2], actor=admin)
    assert branch.answer == "No"
    with pytest.raises(ValidationError, match="already has a branch on 'No'"):
        services.branch_add(step=steps[0], answer="No", goes_to=None, actor=admin)
    assert StepBranch.objects.count() == 1


def test_a_move_that_would_turn_a_branch_backwards_is_refused(admin, telemarket, steps):
    services.branch_add(step=steps[0], answer="Yes", goes_to=steps[1], actor=admin)
    with pytest.raises(ValidationError, match="would be a jump back"):
        services.step_move(step=steps[1], direction="up", actor=admin)
    assert _positions(telemarket)[0] == (1, "Interested in the offer?")


def test_editing_a_step_keeps_its_branches_possible(admin, telemarket, steps):
    services.branch_add(step=steps[1], answer="Blue", goes_to=None, actor=admin)
    with pytest.raises(ValidationError) as error:
        services.step_update(step=steps[1], actor=admin, data={"choices": "Red\nGreen"})
    assert "Branches on 'Blue'" in error.value.message_dict["choices"][0]
    services.step_update(step=steps[1], actor=admin, data={"choices": "Red\nGreen\nBlue\nBlack"})
    assert ScriptStep.objects.get(pk=steps[1].pk).choice_list[-1] == "Black"


def test_deleting_a_step_removes_branches_to_it(admin, telemarket, steps):
    services.branch_add(step=steps[0], answer="No", goes_to=steps[2], actor=admin)
    services.step_delete(step=steps[2], actor=admin)
    assert not StepBranch.objects.exists()
