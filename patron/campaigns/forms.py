from django import forms

from patron.campaigns.models import (
    SUGGESTED_FULFILMENT_TYPES,
    Activity,
    Campaign,
    Fulfilment,
    Step,
)
from patron.campaigns.services import ACTIVITY_FIELDS, CAMPAIGN_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ActivityForm(forms.ModelForm):
    """A new activity chooses its first step; afterwards the step moves with "Change step"
    on the activity's page, so the edit form leaves it out."""

    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace  # the model's clean() compares the campaign's
        self.fields["campaign"].queryset = Campaign.objects.in_workspace(workspace)
        self.fields["campaign"].empty_label = "(no campaign)"
        if self.instance.pk:
            del self.fields["step"]


class ChangeStepForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices)


class FulfilmentForm(forms.ModelForm):
    """Date (today by default) and type; on edit also the activity: the one it has, or any
    running one."""

    class Meta:
        model = Fulfilment
        fields = ["activity", "date", "fulfilment_type"]
        widgets = {"date": DATE, "fulfilment_type": forms.TextInput(attrs={"list": "types"})}

    suggestions = SUGGESTED_FULFILMENT_TYPES

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            running = Activity.objects.in_workspace(workspace).running()
            self.fields["activity"].queryset = running | Activity.objects.filter(
                pk=self.instance.activity_id
            )
            self.fields[
                "activity"
            ].help_text = "Its own activity, or one that is Active and Started."
        else:  # chosen on the page before
            del self.fields["activity"]
