"""Cold calls (manual 004): a logged phone call with its outcome and a follow-up date."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from patron.core.models import WorkspaceScoped


class ColdCall(WorkspaceScoped):
    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", "No answer"
        LEFT_MESSAGE = "left_message", "Left a message"
        CALL_BACK = "call_back", "Asked to call back"
        NOT_INTERESTED = "not_interested", "Not interested"
        INTERESTED = "interested", "Interested"
        MEETING = "meeting", "Meeting booked"
        WRONG_NUMBER = "wrong_number", "Wrong number"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="cold_calls"
    )
    caller = models.ForeignKey(
        "workspaces.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    notes = models.TextField(blank=True, max_length=5000)
    follow_up_on = models.DateField("follow-up date", null=True, blank=True)

    class Meta:
        ordering = ["-called_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "follow_up_on"], name="coldcall_follow_up_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.called_at:%d %b %Y}"

    def clean(self) -> None:
        if self.called_at and self.called_at > timezone.now() + timezone.timedelta(minutes=5):
            raise ValidationError({"called_at": "A call cannot be logged in the future."})
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            raise ValidationError({"customer": "Choose a customer of this workspace."})
