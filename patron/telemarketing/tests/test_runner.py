"""Running a telemarket with a customer: response_start, response_answer, response_delete."""

import pytest
from django.core.exceptions import ValidationError

from patron.campaigns.models import Status, Step
from patron.history.models import Change
from patron.history.services import changes_for
from patron.telemarketing import services
from patron.telemarketing.models import Answer, Response, ScriptStep
from patron.telemarketing.tests.conftest import make_telemarket
from patron.testing.factories import make_customer


def _answers(response) -> dict[int, str]:
    return {a.step.position: a.value for a in response.answers.select_related("step")}


def test_linear_script_walks_every_step_and_completes(admin, customer, telemarket, steps):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    assert (response.state, response.step_reached) == (Response.State.IN_PROGRESS, steps[0])

    after = services.response_answer(response=response, step=steps[0], value="yes", actor=admin)
    assert after == steps[1]
    after = services.response_answer(response=response, step=steps[1], value="green", actor=admin)
    assert after == steps[2]
    response.refresh_from_db()
    assert (response.state, response.step_reached) == (Response.State.IN_PROGRESS, steps[2])
    after = services.response_answer(response=response, step=steps[2], value="12.50", actor=admin)

    assert after is None
    response.refresh_from_db()
    assert (response.state, response.step_reached) == (Response.State.COMPLETED, steps[2])
    assert _answers(response) == {1: "Yes", 2: "Green", 3: "12.50"}
    labels = [f["label"] for f in changes_for(response).first().fields]
    assert labels == ["Answer to 3. How many?", "Status"]


def test_a_branch_skips_steps(admin, customer, telemarket, steps):
    services.branch_add(step=steps[0], answer="No", goes_to=steps[2], actor=admin)
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)

    assert (
        services.response_answer(response=response, step=steps[0], value="No", actor=admin)
        == (steps[2])
    )
    assert services.current_step(response) == steps[2]
    assert (
        services.response_answer(response=response, step=steps[2], value="3", actor=admin) is None
    )
    response.refresh_from_db()
    assert response.state == Response.State.COMPLETED
    assert _answers(response) == {1: "No", 3: "3"}


def test_a_branch_to_the_end_completes_at_once(admin, customer, telemarket, steps):
    services.branch_add(step=steps[0], answer="no", goes_to=None, actor=admin)
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)

    assert (
        services.response_answer(response=response, step=steps[0], value="N", actor=admin) is None
    )
    response.refresh_from_db()
    assert (response.state, response.step_reached) == (Response.State.COMPLETED, steps[0])


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (1, "maybe", "Answer Yes or No."),
        (1, "", "This question needs an answer."),
        (2, "Purple", "Choose one of: Red, Green, Blue."),
        (3, "a dozen", "'a dozen' is not a number, e.g. 12 or 3.5."),
        (3, "NaN", "'NaN' is not a number, e.g. 12 or 3.5."),
    ],
)
def test_invalid_answers_are_refused_and_change_nothing(
    admin, customer, telemarket, steps, position, value, message
):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    for step in steps[: position - 1]:
        good = {"yes_no": "Yes", "choice": "Red", "number": "1"}[step.answer_type]
        services.response_answer(response=response, step=step, value=good, actor=admin)
    before = _answers(response)

    with pytest.raises(ValidationError) as error:
        services.response_answer(
            response=response, step=steps[position - 1], value=value, actor=admin
        )

    assert error.value.message_dict == {"value": [message]}
    assert _answers(response) == before


def test_text_answers_have_a_length_limit_and_optional_steps_may_be_skipped(
    workspace, admin, customer
):
    telemarket = make_telemarket(
        workspace, admin, steps=[("Any comments?", ScriptStep.AnswerType.TEXT, "")]
    )
    step = telemarket.steps.get()
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    with pytest.raises(ValidationError, match="under 2000 characters"):
        services.response_answer(response=response, step=step, value="x" * 2001, actor=admin)

    services.step_update(step=step, actor=admin, data={"required": False})
    assert services.response_answer(response=response, step=step, value="  ", actor=admin) is None
    response.refresh_from_db()
    assert response.state == Response.State.COMPLETED
    assert _answers(response) == {1: ""}


def test_resume_and_edit_going_back_drops_answers_left_off_the_path(
    admin, customer, telemarket, steps
):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    services.response_answer(response=response, step=steps[0], value="Yes", actor=admin)
    # The call is interrupted; later the agent resumes where it stopped.
    response = Response.objects.get(pk=response.pk)
    assert services.current_step(response) == steps[1]
    with pytest.raises(ValidationError, match="Answer step 2 first"):
        services.response_answer(response=response, step=steps[2], value="1", actor=admin)
    services.response_answer(response=response, step=steps[1], value="Red", actor=admin)
    services.response_answer(response=response, step=steps[2], value="4", actor=admin)

    # Going back and giving the same kind of answer keeps the later answers.
    services.response_answer(response=response, step=steps[1], value="Blue", actor=admin)
    assert _answers(response) == {1: "Yes", 2: "Blue", 3: "4"}
    # Another way through the script: answers no longer on the path are dropped.
    services.branch_add(step=steps[0], answer="No", goes_to=None, actor=admin)
    assert (
        services.response_answer(response=response, step=steps[0], value="No", actor=admin) is None
    )
    response.refresh_from_db()
    assert _answers(response) == {1: "No"}
    assert response.state == Response.State.COMPLETED
    dropped = {f["label"]: f["new"] for f in changes_for(response).first().fields}
    assert dropped["Answer to 2. Which colour?"] == "(left off the path)"


def test_one_response_per_customer_and_telemarket(admin, customer, telemarket):
    services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    with pytest.raises(ValidationError, match="Ada Lovelace already has a response"):
        services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [({"step": Step.PLANNED}, "Active, Planned"), ({"status": Status.INACTIVE}, "Inactive")],
)
def test_a_telemarket_not_running_is_refused(admin, customer, telemarket, steps, change, words):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    telemarket.__class__.objects.filter(pk=telemarket.pk).update(**change)
    other = make_customer(telemarket.workspace, admin, last_name="Hopper")

    with pytest.raises(ValidationError, match=f"not running \\({words}"):
        services.response_start(telemarket=telemarket, customer=other, actor=admin)
    with pytest.raises(ValidationError, match="only an Active, Started telemarket"):
        services.response_answer(response=response, step=steps[0], value="Yes", actor=admin)
    assert not Answer.objects.exists()


def test_a_step_of_another_script_is_refused(workspace, admin, customer, telemarket):
    other = make_telemarket(
        workspace, admin, name="Other", steps=[("Q", ScriptStep.AnswerType.TEXT, "")]
    )
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    with pytest.raises(ValidationError, match="Choose a step of Spring survey"):
        services.response_answer(response=response, step=other.steps.get(), value="x", actor=admin)


def test_an_empty_script_cannot_be_run(workspace, admin, customer):
    telemarket = make_telemarket(workspace, admin, steps=[])
    with pytest.raises(ValidationError, match="has no questions yet"):
        services.response_start(telemarket=telemarket, customer=customer, actor=admin)


def test_delete_a_response(admin, customer, telemarket, steps):
    response = services.response_start(telemarket=telemarket, customer=customer, actor=admin)
    services.response_answer(response=response, step=steps[0], value="Yes", actor=admin)
    pk = response.pk
    services.response_delete(response=response, actor=admin)
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert Change.objects.filter(object_id=pk, action=Change.Action.DELETE).exists()
