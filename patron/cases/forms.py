from django import forms

from patron.cases.models import Case, ReasonCode
from patron.cases.services import CASE_FIELDS, REASON_CODE_FIELDS
from patron.workspaces.models import User

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class ReasonCodeForm(forms.ModelForm):
    class Meta:
        model = ReasonCode
        fields = REASON_CODE_FIELDS


class CaseForm(forms.ModelForm):
    """Create or edit a case: reason codes and assignees of this workspace only. The
    customer is the one the case was created from; the resolution date follows the status."""

    class Meta:
        model = Case
        fields = CASE_FIELDS
        widgets = {
            "logged_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
            ),
            "description": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {"logged_at": "Logged date/time"}
        help_texts = {"logged_at": "Now, unless the customer raised it earlier."}

    def __init__(self, *args, workspace, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        if customer is not None:
            self.instance.customer = customer
        self.fields["reason_code"].queryset = ReasonCode.objects.in_workspace(workspace)
        self.fields["reason_code"].empty_label = "No reason code"
        self.fields["assignee"].queryset = User.objects.filter(
            memberships__workspace=workspace, is_active=True
        ).order_by("full_name", "email")
        self.fields["assignee"].empty_label = "Nobody yet"
        self.fields["logged_at"].required = False
        self.fields["subject"].widget.attrs["maxlength"] = 200


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Case.Status.choices)
