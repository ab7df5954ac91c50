from django import forms

from patron.marketing.models import Suppression, SuppressionType, Trait
from patron.marketing.services import SUPPRESSION_TYPE_FIELDS, TRAIT_FIELDS


class TraitForm(forms.ModelForm):
    class Meta:
        model = Trait
        fields = TRAIT_FIELDS


class SuppressionTypeForm(forms.ModelForm):
    class Meta:
        model = SuppressionType
        fields = SUPPRESSION_TYPE_FIELDS
        labels = {"blocks": "Keeps the customer off"}


class SuppressionForm(forms.ModelForm):
    """Add a Suppression: a type of this workspace the customer does not have yet."""

    class Meta:
        model = Suppression
        fields = ["suppression_type", "date", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"date": "From when; today if left as it is."}

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        # The form's own model validation (Suppression.clean) compares workspaces.
        self.instance.workspace, self.instance.customer = customer.workspace, customer
        self.fields["suppression_type"].queryset = SuppressionType.objects.in_workspace(
            customer.workspace
        ).exclude(suppressions__customer=customer)
        self.fields["suppression_type"].empty_label = "Choose a suppression"
        self.fields["suppression_type"].label_from_instance = lambda t: (
            f"{t.name} — {t.description}" if t.description else t.name
        )


class CustomerTraitsForm(forms.Form):
    """Add/Remove Traits: tick the traits that apply to the customer."""

    traits = forms.ModelMultipleChoiceField(
        queryset=Trait.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["traits"].queryset = Trait.objects.in_workspace(customer.workspace)
        self.fields["traits"].label_from_instance = lambda t: (
            f"{t.name} — {t.description}" if t.description else t.name
        )
        if not self.is_bound:
            self.initial["traits"] = list(customer.customer_traits.values_list("trait", flat=True))
