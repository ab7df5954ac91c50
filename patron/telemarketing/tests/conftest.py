"""A running telemarket with a script, made by the services the pages use."""

import pytest

from patron.campaigns.models import Step
from patron.telemarketing import services
from patron.telemarketing.models import ScriptStep


def make_telemarket(workspace, actor, name="Spring survey", steps=(), running=True):
    """A telemarket with `steps` as (question, answer_type, choices) tuples, Started."""
    telemarket = services.telemarket_create(workspace=workspace, actor=actor, data={"name": name})
    for question, answer_type, choices in steps:
        services.step_add(
            telemarket=telemarket,
            actor=actor,
            data={"question": question, "answer_type": answer_type, "choices": choices},
        )
    if running:
        telemarket = services.telemarket_change_step(
            telemarket=telemarket, step=Step.STARTED, actor=actor
        )
    return telemarket


THREE_STEPS = (
    ("Interested in the offer?", ScriptStep.AnswerType.YES_NO, ""),
    ("Which colour?", ScriptStep.AnswerType.CHOICE, "Red\nGreen\nBlue"),
    ("How many?", ScriptStep.AnswerType.NUMBER, ""),
)


@pytest.fixture
def telemarket(workspace, admin):
    return make_telemarket(workspace, admin, steps=THREE_STEPS)


@pytest.fixture
def steps(telemarket):
    return list(telemarket.steps.order_by("position"))
