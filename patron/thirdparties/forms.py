from django import forms

from patron.thirdparties.models import ThirdParty
from patron.thirdparties.services import FIELDS


class ThirdPartyForm(forms.ModelForm):
    class Meta:
        model = ThirdParty
        fields = FIELDS
        widgets = {
            "contract_start": forms.DateInput(attrs={"type": "date"}),
            "contract_end": forms.DateInput(attrs={"type": "date"}),
            "item_usage": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the manual's red asterisk on mandatory fields
            if field.required:
                field.label = f"{field.label} *"
