"""Writes to telemarkets, their scripts and the responses recorded, each recorded in History.

Script steps and branches have no History of their own: a change to the script is recorded
on its telemarket ("Script: step 2 added"). Answers are recorded on their response.

Rules a script keeps, so that running it always ends:
- steps sit at positions 1..n without gaps (adding appends, deleting closes the gap,
  moving swaps two neighbours);
- a branch jumps only forward (to a later step) or to the end, and only on an answer the
  step can produce: one of a choice question's answers, or Yes/No. Text and number
  questions take no branches (their answers are open-ended, so no value could be matched).
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patron.campaigns.models import Step
from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import create_with_history, record_change, update_with_history
from patron.telemarketing.models import Answer, Response, ScriptStep, StepBranch, Telemarket

TELEMARKET_FIELDS = ["name", "description", "activity", "status", "start_date", "end_date"]
STEP_FIELDS = ["question", "answer_type", "choices", "required"]
YES, NO = "Yes", "No"
TEXT_MAX_LENGTH = 2000


# Telemarkets ---------------------------------------------------------------------------


@transaction.atomic
def telemarket_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Telemarket:
    """A new script, Planned: it can be run once its step is changed to Started."""
    telemarket = Telemarket(workspace=workspace, **data)
    return create_with_history(
        instance=telemarket, actor=actor, fields=[*TELEMARKET_FIELDS, "step"], via=via
    )


@transaction.atomic
def telemarket_update(
    *, telemarket: Telemarket, actor, data: dict[str, Any], via: str = "page"
) -> Telemarket:
    telemarket = Telemarket.objects.select_for_update().get(pk=telemarket.pk)
    return update_with_history(
        instance=telemarket, actor=actor, data=data, fields=TELEMARKET_FIELDS, via=via
    )


@transaction.atomic
def telemarket_change_step(
    *, telemarket: Telemarket, step: str, actor, via: str = "page"
) -> Telemarket:
    """Move the telemarket to Planned, Started or Completed ("Change step", manual 000).

    Starting fills an empty start date with today, completing an empty end date, so the
    dates say when it ran unless someone set them.
    """
    telemarket = Telemarket.objects.select_for_update().get(pk=telemarket.pk)
    if step not in Step.values:
        raise ValidationError({"step": f"Choose a step: {', '.join(Step.labels)}."})
    if step == telemarket.step:
        raise ValidationError({"step": f"{telemarket} is already {telemarket.get_step_display()}."})
    data: dict[str, Any] = {"step": step}
    today = timezone.localdate()
    if step == Step.STARTED and telemarket.start_date is None:
        data["start_date"] = today
    if step == Step.COMPLETED and telemarket.end_date is None:
        start = telemarket.start_date
        data["end_date"] = today if start is None or start <= today else start
    return update_with_history(
        instance=telemarket,
        actor=actor,
        data=data,
        fields=["step", "start_date", "end_date"],
        via=via,
    )


@transaction.atomic
def telemarket_delete(*, telemarket: Telemarket, actor, via: str = "page") -> None:
    """Delete a script and its steps; refused while customers' responses refer to it."""
    telemarket = Telemarket.objects.select_for_update().get(pk=telemarket.pk)
    count = telemarket.responses.count()
    if count:
        raise ValidationError(
            f"{telemarket} has {count} response{'s' if count != 1 else ''}: delete "
            f"{'them' if count != 1 else 'it'} first, or make the telemarket Inactive.",
            code="has_responses",
        )
    record_change(instance=telemarket, action=Change.Action.DELETE, actor=actor, via=via)
    telemarket.delete()


# The script ----------------------------------------------------------------------------


def _record_script(telemarket: Telemarket, actor, via: str, old: str, new: str) -> None:
    record_change(
        instance=telemarket,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=[{"field": "script", "label": "Script", "old": old, "new": new}],
        via=via,
    )


def _lock(telemarket: Telemarket) -> Telemarket:
    """Lock the telemarket row: script edits of one telemarket happen one at a time."""
    return Telemarket.objects.select_for_update().get(pk=telemarket.pk)


def _describe(step: ScriptStep) -> str:
    described = f"{step.position}. {step.question} ({step.get_answer_type_display()}"
    if step.choice_list:
        described += ": " + " / ".join(step.choice_list)
    return described + (")" if step.required else ", optional)")


def producible_answers(step: ScriptStep) -> list[str] | None:
    """The answers a branch may name at this step; None for open-ended (text, number)."""
    if step.answer_type == ScriptStep.AnswerType.CHOICE:
        return step.choice_list
    if step.answer_type == ScriptStep.AnswerType.YES_NO:
        return [YES, NO]
    return None


@transaction.atomic
def step_add(*, telemarket: Telemarket, actor, data: dict[str, Any], via: str = "page"):
    """Append a question at the end of the script."""
    telemarket = _lock(telemarket)
    last = telemarket.steps.order_by("-position").first()
    step = ScriptStep(telemarket=telemarket, position=(last.position + 1) if last else 1, **data)
    step.full_clean()
    step.save()
    _record_script(telemarket, actor, via, "", f"Added {_describe(step)}")
    return step


@transaction.atomic
def step_update(*, step: ScriptStep, actor, data: dict[str, Any], via: str = "page"):
    """Change a question. Refused when its branches would name an answer it no longer offers
    (delete those branches first); answers already given stay as they were."""
    _lock(step.telemarket)
    step = ScriptStep.objects.select_related("telemarket").get(pk=step.pk)
    before = _describe(step)
    for name, value in data.items():
        if name not in STEP_FIELDS:
            raise ValueError(f"Not an editable step field: {name}")
        setattr(step, name, value)
    step.full_clean()
    offered = producible_answers(step)
    stranded = [
        branch.answer
        for branch in step.branches.all()
        if offered is None or branch.answer not in offered
    ]
    if stranded:
        raise ValidationError(
            {
                "answer_type" if offered is None else "choices": (
                    f"Branches on {', '.join(repr(a) for a in stranded)} need an answer this "
                    "question would no longer offer: delete them first."
                )
            }
        )
    step.save()
    after = _describe(step)
    if after != before:
        _record_script(step.telemarket, actor, via, before, after)
    return step


@transaction.atomic
def step_delete(*, step: ScriptStep, actor, via: str = "page") -> None:
    """Remove a question and close the gap. Branches from it or to it go with it. Refused
    while responses hold answers to it: those answers are customers' data."""
    telemarket = _lock(step.telemarket)
    step = ScriptStep.objects.get(pk=step.pk)
    answered = step.answers.count()
    if answered:
        raise ValidationError(
            f"Step {step.position} has been answered in {answered} "
            f"response{'s' if answered != 1 else ''}: it cannot be deleted.",
            code="answered",
        )
    described = _describe(step)
    position = step.position
    step.delete()
    # One row at a time, lowest first: each moves into the place just freed, so the unique
    # (telemarket, position) constraint holds after every statement, on any database.
    for later in telemarket.steps.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])
    _record_script(telemarket, actor, via, described, "")


@transaction.atomic
def step_move(*, step: ScriptStep, direction: str, actor, via: str = "page") -> ScriptStep:
    """Swap a question with the one above ("up") or below ("down")."""
    telemarket = _lock(step.telemarket)
    step = ScriptStep.objects.get(pk=step.pk)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a step up or down."})
    neighbour_position = step.position - 1 if direction == "up" else step.position + 1
    neighbour = telemarket.steps.filter(position=neighbour_position).first()
    if neighbour is None:
        where = "first" if direction == "up" else "last"
        raise ValidationError(f"Step {step.position} is already the {where} step.")
    upper, lower = (neighbour, step) if direction == "up" else (step, neighbour)
    backwards = upper.branches.filter(goes_to=lower).first()
    if backwards is not None:
        raise ValidationError(
            f"Step {upper.position} jumps to step {lower.position} on {backwards.answer!r}; "
            "after the move that would be a jump back. Delete that branch first."
        )
    old = step.position
    # Position 0 is never used (steps count from 1): a free place to swap through.
    step.position = 0
    step.save(update_fields=["position"])
    neighbour.position = old
    neighbour.save(update_fields=["position"])
    step.position = neighbour_position
    step.save(update_fields=["position"])
    _record_script(
        telemarket,
        actor,
        via,
        f"{old}. {step.question}",
        f"{step.position}. {step.question}",
    )
    return step


@transaction.atomic
def branch_add(
    *, step: ScriptStep, answer: str, goes_to: ScriptStep | None, actor, via: str = "page"
) -> StepBranch:
    """After `step`, answering `answer` jumps to `goes_to` (a later step), or None: the end."""
    telemarket = _lock(step.telemarket)
    step = ScriptStep.objects.select_related("telemarket").get(pk=step.pk)
    offered = producible_answers(step)
    errors = {}
    if offered is None:
        errors["answer"] = (
            f"A {step.get_answer_type_display().lower()} question takes no branches: only "
            "choice and yes/no answers can be matched."
        )
    else:
        matched = next((a for a in offered if a.casefold() == answer.strip().casefold()), None)
        if matched is None:
            errors["answer"] = f"Choose one of this step's answers: {', '.join(offered)}."
        else:
            answer = matched
            if step.branches.filter(answer=answer).exists():
                errors["answer"] = f"Step {step.position} already has a branch on {answer!r}."
    if goes_to is not None:
        if goes_to.telemarket_id != telemarket.pk:
            errors["goes_to"] = "Choose a step of the same script."
        elif goes_to.position <= step.position:
            errors["goes_to"] = (
                f"Choose a step after step {step.position} (or the end): a jump back "
                "could make the script loop."
            )
    if errors:
        raise ValidationError(errors)
    branch = StepBranch(step=step, answer=answer, goes_to=goes_to)
    branch.full_clean()
    branch.save()
    _record_script(telemarket, actor, via, "", f"Step {step.position}: {branch}")
    return branch


@transaction.atomic
def branch_delete(*, branch: StepBranch, actor, via: str = "page") -> None:
    telemarket = _lock(branch.step.telemarket)
    described = f"Step {branch.step.position}: {branch}"
    branch.delete()
    _record_script(telemarket, actor, via, described, "")


# Running a telemarket with a customer --------------------------------------------------


def _require_running(telemarket: Telemarket) -> None:
    if not telemarket.is_running:
        raise ValidationError(
            f"{telemarket} is not running ({telemarket.get_status_display()}, "
            f"{telemarket.get_step_display()}): only an Active, Started telemarket can be run.",
            code="not_running",
        )


def next_step(step: ScriptStep, value: str) -> ScriptStep | None:
    """Where the script goes after `value` at `step`: its branch, else the next position,
    else None (the end)."""
    branch = next((b for b in step.branches.all() if b.answer == value), None)
    if branch is not None:
        return branch.goes_to
    return step.telemarket.steps.filter(position__gt=step.position).order_by("position").first()


def response_path(response: Response) -> list[tuple[ScriptStep, Answer | None]]:
    """The steps this response goes through, in order, with their answers: from step 1
    following the answers given, up to the first step not answered yet (answer None) or the
    end. Branches only jump forward, so the walk always ends."""
    steps = list(response.telemarket.steps.prefetch_related("branches"))
    answers = {answer.step_id: answer for answer in response.answers.all()}
    by_id = {step.pk: step for step in steps}
    path: list[tuple[ScriptStep, Answer | None]] = []
    step = steps[0] if steps else None
    while step is not None:
        answer = answers.get(step.pk)
        path.append((step, answer))
        if answer is None:
            break
        branch = next((b for b in step.branches.all() if b.answer == answer.value), None)
        if branch is not None:
            step = by_id.get(branch.goes_to_id)
        else:
            step = next((s for s in steps if s.position > step.position), None)
    return path


def current_step(response: Response) -> ScriptStep | None:
    """The step to ask now: the first not answered on the path; None when all are."""
    path = response_path(response)
    return path[-1][0] if path and path[-1][1] is None else None


def clean_answer(step: ScriptStep, value: Any) -> str:
    """The value as stored for this step's answer type, or a ValidationError saying why not."""
    value = "" if value is None else str(value).strip()
    if not value:
        if step.required:
            raise ValidationError({"value": "This question needs an answer."})
        return ""
    kind = step.answer_type
    if kind == ScriptStep.AnswerType.CHOICE:
        matched = next((c for c in step.choice_list if c.casefold() == value.casefold()), None)
        if matched is None:
            raise ValidationError({"value": f"Choose one of: {', '.join(step.choice_list)}."})
        return matched
    if kind == ScriptStep.AnswerType.YES_NO:
        spoken = {"yes": YES, "y": YES, "true": YES, "no": NO, "n": NO, "false": NO}
        if value.casefold() not in spoken:
            raise ValidationError({"value": "Answer Yes or No."})
        return spoken[value.casefold()]
    if kind == ScriptStep.AnswerType.NUMBER:
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValidationError({"value": f"{value!r} is not a number, e.g. 12 or 3.5."})
        return str(number)
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"value": f"Keep the answer under {TEXT_MAX_LENGTH} characters (it has {len(value)})."}
        )
    return value


def _state_snapshot(response: Response) -> dict[str, str]:
    return {
        "state": response.get_state_display(),
        "step_reached": str(response.step_reached or ""),
    }


@transaction.atomic
def response_start(
    *, telemarket: Telemarket, customer: Customer, actor, via: str = "page"
) -> Response:
    """Start running a telemarket with a customer: one response per customer and script."""
    telemarket = Telemarket.objects.select_for_update().get(pk=telemarket.pk)
    _require_running(telemarket)
    if customer.workspace_id != telemarket.workspace_id:
        raise ValidationError({"customer": "Choose a customer of this workspace."})
    existing = Response.objects.filter(telemarket=telemarket, customer=customer).first()
    if existing is not None:
        raise ValidationError(
            f"{customer} already has a response to {telemarket} "
            f"({existing.get_state_display().lower()}): view or edit it instead.",
            code="exists",
        )
    first = telemarket.steps.order_by("position").first()
    if first is None:
        raise ValidationError(f"{telemarket} has no questions yet.", code="empty")
    response = Response(
        workspace=telemarket.workspace,
        telemarket=telemarket,
        customer=customer,
        agent=actor if getattr(actor, "pk", None) else None,
        step_reached=first,
    )
    return create_with_history(
        instance=response,
        actor=actor,
        fields=["telemarket", "customer", "state", "step_reached"],
        via=via,
    )


@transaction.atomic
def response_answer(
    *, response: Response, step: ScriptStep, value: Any, actor, via: str = "page"
) -> ScriptStep | None:
    """Answer one step and say which comes next (None: the script is done).

    A step may be answered when it is on the response's path: the one being asked, or one
    already answered (going back to edit). Changing an answer can send the script another
    way; answers to steps left off the new path are deleted, since they no longer describe
    the conversation, while answers still on the path are kept (so walking forward again
    shows them).
    """
    response = Response.objects.select_for_update().select_related("telemarket").get(pk=response.pk)
    _require_running(response.telemarket)
    asked = response.telemarket.steps.filter(pk=step.pk).first()
    if asked is None:
        raise ValidationError({"step": f"Choose a step of {response.telemarket}."})
    step = asked
    path = response_path(response)
    if step.pk not in {s.pk for s, _ in path}:
        ask = path[-1][0] if path and path[-1][1] is None else None
        hint = f" Answer step {ask.position} first." if ask else ""
        raise ValidationError(
            {
                "step": f"Step {step.position} is not on this response's way through the script."
                + hint
            }
        )
    value = clean_answer(step, value)
    before = _state_snapshot(response)
    answer = Answer.objects.filter(response=response, step=step).first()
    created = answer is None
    old_value = "" if created else answer.value
    if created:
        answer = Answer(response=response, step=step)
    answer.value = value
    answer.full_clean()
    answer.save()

    path = response_path(response)
    on_path = {s.pk for s, _ in path}
    dropped = [a for a in response.answers.select_related("step") if a.step_id not in on_path]
    for left in dropped:
        left.delete()
    last_step, last_answer = path[-1]
    if last_answer is None:
        response.state = Response.State.IN_PROGRESS
    else:
        response.state = Response.State.COMPLETED
    response.step_reached = last_step
    if getattr(actor, "pk", None):
        response.agent = actor
    response.full_clean()
    response.save()

    fields = []
    if created or answer.value != old_value:
        fields.append(
            {
                "field": f"answer_{step.pk}",
                "label": f"Answer to {step.position}. {step.question}",
                "old": old_value,
                "new": answer.value,
            }
        )
    fields += [
        {
            "field": f"answer_{a.step_id}",
            "label": f"Answer to {a.step.position}. {a.step.question}",
            "old": a.value,
            "new": "(left off the path)",
        }
        for a in dropped
    ]
    after = _state_snapshot(response)
    labels = {"state": "Status", "step_reached": "Response step"}
    fields += [
        {"field": name, "label": labels[name], "old": before[name], "new": after[name]}
        for name in after
        if after[name] != before[name]
    ]
    if fields:
        record_change(
            instance=response, action=Change.Action.UPDATE, actor=actor, fields=fields, via=via
        )
    return next_step(step, value)


@transaction.atomic
def response_delete(*, response: Response, actor, via: str = "page") -> None:
    record_change(instance=response, action=Change.Action.DELETE, actor=actor, via=via)
    response.delete()
