"""Telemarketing (manual 000): scripts of questions an agent runs with a customer, and the
responses recorded."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from patron.campaigns.models import Runnable, Status, Step
from patron.core.models import WorkspaceScoped, same_name_in_workspace


class TelemarketQuerySet(models.QuerySet):
    def in_workspace(self, workspace) -> "TelemarketQuerySet":
        return self.filter(workspace=workspace)

    def running(self) -> "TelemarketQuerySet":
        return self.filter(status=Status.ACTIVE, step=Step.STARTED)


class Telemarket(Runnable):
    """A telemarketing script. Only an Active, Started telemarket can be run."""

    name = models.CharField("telemarket", max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    activity = models.ForeignKey(
        "campaigns.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="telemarkets",
        help_text="The marketing activity this script belongs to, if any.",
    )

    objects = TelemarketQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_telemarket_name",
                violation_error_message="A telemarket with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.activity_id and self.activity.workspace_id != self.workspace_id:
            raise ValidationError({"activity": "Choose an activity of this workspace."})
        if same_name_in_workspace(self):
            raise ValidationError({"name": "A telemarket with this name already exists."})


class ScriptStep(models.Model):
    """One question of a script, asked in `position` order unless a branch jumps."""

    class AnswerType(models.TextChoices):
        CHOICE = "choice", "Choice"
        TEXT = "text", "Text"
        YES_NO = "yes_no", "Yes/No"
        NUMBER = "number", "Number"

    telemarket = models.ForeignKey(Telemarket, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    question = models.CharField(max_length=500)
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices)
    # For CHOICE: the answers offered, one per line.
    choices = models.TextField(blank=True, max_length=2000, help_text="One answer per line.")
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["telemarket", "position"], name="unique_script_step_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.question}"

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.answer_type == self.AnswerType.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": "A choice question needs at least two answers."})
        if self.answer_type != self.AnswerType.CHOICE and self.choices.strip():
            raise ValidationError({"choices": "Only a choice question offers answers."})


class StepBranch(models.Model):
    """After `step`, the answer `answer` jumps to `goes_to` (None: the script ends)."""

    step = models.ForeignKey(ScriptStep, on_delete=models.CASCADE, related_name="branches")
    answer = models.CharField(max_length=200)
    goes_to = models.ForeignKey(
        ScriptStep, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "answer"], name="unique_step_branch_answer")
        ]

    def __str__(self) -> str:
        target = self.goes_to.position if self.goes_to else "end"
        return f"{self.answer} -> {target}"

    def clean(self) -> None:
        if self.goes_to_id and self.goes_to.telemarket_id != self.step.telemarket_id:
            raise ValidationError({"goes_to": "Choose a step of the same script."})


class Response(WorkspaceScoped):
    """A customer's run through a telemarket: one per customer and telemarket."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    telemarket = models.ForeignKey(Telemarket, on_delete=models.PROTECT, related_name="responses")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="tm_responses"
    )
    state = models.CharField(
        "status", max_length=12, choices=State.choices, default=State.IN_PROGRESS
    )
    step_reached = models.ForeignKey(
        ScriptStep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="response step",
    )
    agent = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["telemarket", "customer"],
                name="unique_telemarket_response",
                violation_error_message="This customer already has a response to this telemarket.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.telemarket} ({self.get_state_display()})"

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            errors["customer"] = "Choose a customer of this workspace."
        if self.telemarket_id and self.telemarket.workspace_id != self.workspace_id:
            errors["telemarket"] = "Choose a telemarket of this workspace."
        if errors:
            raise ValidationError(errors)


class Answer(models.Model):
    """The answer given at one step of a response."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    step = models.ForeignKey(ScriptStep, on_delete=models.CASCADE, related_name="answers")
    value = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["step__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "step"], name="unique_response_answer")
        ]

    def __str__(self) -> str:
        return f"{self.step.question}: {self.value}"
