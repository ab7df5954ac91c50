from django import forms

from patron.campaigns.models import Activity
from patron.lists import rules
from patron.lists.models import CustomerList
from patron.lists.services import FIELDS
from patron.marketing.models import SuppressionType, Trait

USAGE_HELP_TEXT = " ".join(
    f"{label}: {CustomerList.USAGE_HELP[value]}" for value, label in CustomerList.Usage.choices
)


def _mark_required(form: forms.Form) -> None:
    for field in form.fields.values():  # the manual's asterisk on mandatory fields
        if field.required:
            field.label = f"{field.label} *"


def _check_name_free(workspace, name: str, instance: CustomerList | None = None) -> str:
    name = name.strip()
    others = CustomerList.objects.in_workspace(workspace).filter(name__iexact=name)
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise forms.ValidationError("A customer list with this name already exists.")
    return name


class ListForm(forms.ModelForm):
    """Edit a list: details and rules, related rows offered from the workspace only."""

    class Meta:
        model = CustomerList
        fields = FIELDS
        widgets = {
            "expiry_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "suppressions": forms.CheckboxSelectMultiple,
            "traits": forms.CheckboxSelectMultiple,
            "activities": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["suppressions"].queryset = SuppressionType.objects.in_workspace(workspace)
        self.fields["traits"].queryset = Trait.objects.in_workspace(workspace)
        self.fields["activities"].queryset = Activity.objects.in_workspace(workspace)
        self.fields["usage"].help_text = USAGE_HELP_TEXT
        self.fields["suppressions"].help_text = (
            "Customers with any of these cannot join. Types that block the list's usage "
            "(or all lists) apply whether ticked or not."
        )
        _mark_required(self)

    def clean_name(self):
        return _check_name_free(self.workspace, self.cleaned_data["name"], self.instance)


class DetailsForm(forms.Form):
    """Step 1 of "Create customer list"."""

    name = forms.CharField(label="List name", max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    usage = forms.ChoiceField(
        choices=CustomerList.Usage.choices, widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        _mark_required(self)

    def clean_name(self):
        return _check_name_free(self.workspace, self.cleaned_data["name"])


class SuppressionsForm(forms.Form):
    """Step 3: the list's own suppressions; those that block the usage always apply."""

    suppressions = forms.ModelMultipleChoiceField(
        queryset=SuppressionType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Also refuse customers with",
    )

    def __init__(self, *args, workspace, usage: str, **kwargs):
        super().__init__(*args, **kwargs)
        types = SuppressionType.objects.in_workspace(workspace)
        self.always = types.filter(blocks__in=rules.blocks_for(usage))
        self.fields["suppressions"].queryset = types.exclude(blocks__in=rules.blocks_for(usage))


class TraitsForm(forms.Form):
    """Step 4: traits a customer must all have."""

    traits = forms.ModelMultipleChoiceField(
        queryset=Trait.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Customers must have every one of",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["traits"].queryset = Trait.objects.in_workspace(workspace)


class FulfilmentsListForm(DetailsForm):
    """ "Create list of fulfilled customers": an activity's fulfilled customers."""

    activity = forms.ModelChoiceField(queryset=Activity.objects.none())

    field_order = ["activity", "name", "description", "usage"]

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["activity"].queryset = Activity.objects.in_workspace(workspace)
        self.fields["activity"].label = "Activity *"
        self.order_fields(self.field_order)
