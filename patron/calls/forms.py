from django import forms

from patron.calls.models import ColdCall
from patron.customers.models import Customer


class ColdCallForm(forms.ModelForm):
    class Meta:
        model = ColdCall
        fields = ["called_at", "outcome", "notes", "follow_up_on"]
        widgets = {
            "called_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }


class NewProspectForm(forms.ModelForm):
    """The someone-new part of a cold call: enough to create the prospect."""

    prefix = "new_customer"

    class Meta:
        model = Customer
        fields = [
            "title",
            "first_name",
            "last_name",
            "company_name",
            "job_title",
            "work_phone",
            "mobile_phone",
            "email",
            "postcode",
        ]
        widgets = {"email": forms.EmailInput}

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace  # the model says a person needs a last name
        for name in ("work_phone", "mobile_phone"):
            self.fields[name].widget.input_type = "tel"
