from django import forms

from patron.customers.models import Category, Customer, Tag
from patron.customers.organization_picker import OrganizationSelect
from patron.customers.services import EDITABLE_FIELDS
from patron.workspaces.models import Store


class CustomerForm(forms.ModelForm):
    """The customer form. Validation lives on the model; this only offers choices.

    Every related choice comes from the current workspace only.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Customer
        fields = EDITABLE_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "tags": forms.CheckboxSelectMultiple,
            "stores": forms.CheckboxSelectMultiple,
            "email": forms.EmailInput,
            "kind": forms.RadioSelect,
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        organizations = Customer.objects.in_workspace(workspace).current().organizations()
        if self.instance.pk:
            organizations = organizations.exclude(pk=self.instance.pk)
            self.fields["version"].initial = self.instance.version
        self.fields["organization"].queryset = organizations
        self.fields["organization"].widget = OrganizationSelect(exclude_pk=self.instance.pk)
        self.fields["organization"].widget.choices = self.fields["organization"].choices
        self.fields["category"].queryset = Category.objects.in_workspace(workspace)
        self.fields["tags"].queryset = Tag.objects.in_workspace(workspace)
        self.fields["stores"].queryset = Store.objects.filter(workspace=workspace)
        self.fields["stores"].help_text = "Leave all unticked for every store."
        for name in Customer.PHONE_FIELDS:
            self.fields[name].widget.input_type = "tel"

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data
        }
