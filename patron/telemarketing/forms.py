from django import forms

from patron.campaigns.models import Activity, Step
from patron.telemarketing import services
from patron.telemarketing.models import ScriptStep, Telemarket


def _mark_required(form: forms.Form) -> None:
    for field in form.fields.values():  # the manual's asterisk on mandatory fields
        if field.required:
            field.label = f"{field.label} *"


class TelemarketForm(forms.ModelForm):
    class Meta:
        model = Telemarket
        fields = services.TELEMARKET_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.in_workspace(workspace)
        _mark_required(self)


class ChangeStepForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices, widget=forms.RadioSelect)


class StepForm(forms.ModelForm):
    class Meta:
        model = ScriptStep
        fields = services.STEP_FIELDS
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"choices": "For a choice question: one answer per line."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _mark_required(self)


class BranchForm(forms.Form):
    """After this step, an answer jumps to a later step or ends the script."""

    answer = forms.ChoiceField()
    goes_to = forms.ModelChoiceField(
        queryset=ScriptStep.objects.none(),
        required=False,
        empty_label="End of the script",
        label="goes to",
    )

    def __init__(self, *args, step: ScriptStep, later: list[ScriptStep], **kwargs):
        kwargs.setdefault("prefix", f"branch-{step.pk}")
        super().__init__(*args, **kwargs)
        taken = {branch.answer for branch in step.branches.all()}
        self.fields["answer"].choices = [
            (a, a) for a in services.producible_answers(step) or [] if a not in taken
        ]
        self.fields["goes_to"].queryset = step.telemarket.steps.filter(pk__in=[s.pk for s in later])


class AnswerForm(forms.Form):
    """One step's question with the input its answer type needs. The service validates the
    value (and says why it is refused), so the fields accept anything."""

    value = forms.CharField(required=False, strip=False)

    def __init__(self, *args, step: ScriptStep, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        field.label = step.question + (" *" if step.required else "")
        kind = step.answer_type
        if kind in (ScriptStep.AnswerType.CHOICE, ScriptStep.AnswerType.YES_NO):
            answers = services.producible_answers(step)
            field.widget = forms.RadioSelect(choices=[(a, a) for a in answers])
        elif kind == ScriptStep.AnswerType.NUMBER:
            field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        else:
            field.widget = forms.Textarea(attrs={"rows": 4, "maxlength": services.TEXT_MAX_LENGTH})
