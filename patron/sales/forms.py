from django import forms

from patron.sales.models import (
    CustomerPriceLevel,
    Item,
    PriceLevel,
    Quote,
    QuoteLine,
    ServiceContract,
)
from patron.sales.services import (
    CONTRACT_FIELDS,
    ITEM_FIELDS,
    LINE_FIELDS,
    PRICE_LEVEL_FIELDS,
    QUOTE_FIELDS,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ITEM_FIELDS


class PriceLevelForm(forms.ModelForm):
    class Meta:
        model = PriceLevel
        fields = PRICE_LEVEL_FIELDS


class CurrencyForm(forms.Form):
    currency = forms.CharField(
        label="Default currency of new quotes",
        max_length=3,
        help_text="A three-letter ISO 4217 code, e.g. GBP, EUR, USD.",
    )


class CustomerPriceLevelForm(forms.Form):
    price_level = forms.ModelChoiceField(
        queryset=PriceLevel.objects.none(),
        required=False,
        empty_label="None (a person inherits its organization's)",
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_level"].queryset = PriceLevel.objects.in_workspace(customer.workspace)
        if not self.is_bound:
            link = CustomerPriceLevel.objects.filter(customer=customer).first()
            self.initial["price_level"] = link.price_level_id if link else None


class QuoteForm(forms.ModelForm):
    class Meta:
        model = Quote
        fields = QUOTE_FIELDS
        widgets = {"valid_until": DATE, "customer_address": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        from patron.cases.models import Case

        # The model's own validation (Quote.clean) checks the case against the customer.
        self.instance.workspace, self.instance.customer = customer.workspace, customer

        self.fields["case"].queryset = Case.objects.in_workspace(customer.workspace).filter(
            customer=customer
        )
        self.fields["case"].empty_label = "None"

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


class QuoteLineForm(forms.ModelForm):
    """A line: an item of the catalogue, or free text with a unit price. Left empty, the
    unit price and tax rate come from the item and the discount from the price level."""

    class Meta:
        model = QuoteLine
        fields = LINE_FIELDS
        help_texts = {
            "description": "Free text, or leave empty to take the item's name.",
        }

    def __init__(self, *args, workspace, adding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        items = Item.objects.in_workspace(workspace)
        if self.instance.item_id:
            items = items.filter(active=True) | items.filter(pk=self.instance.item_id)
        else:
            items = items.filter(active=True)
        self.fields["item"].queryset = items
        self.fields["item"].empty_label = "Free text (no item)"
        if adding:
            for name in ("unit_price", "discount", "tax_rate", "quantity"):
                self.fields[name].required = False
            self.fields["unit_price"].help_text = "The item's price if left empty."
            self.fields["discount"].help_text = "The customer's price level discount if empty."
            self.fields["tax_rate"].help_text = "The item's default tax rate if left empty."
            self.fields["quantity"].initial = 1
            self.fields["discount"].initial = None
            self.fields["tax_rate"].initial = None

    def _post_clean(self):
        # The service fills in defaults and validates the whole line; the model form's
        # own validation would refuse an empty unit price first.
        pass


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Quote.Status.choices)


class ServiceContractForm(forms.ModelForm):
    class Meta:
        model = ServiceContract
        fields = [*CONTRACT_FIELDS, "supported_items"]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "supported_items": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        items = Item.objects.in_workspace(workspace)
        if self.instance.pk:
            kept = self.instance.supported_items.values("pk")
            items = items.filter(active=True) | items.filter(pk__in=kept)
        else:
            items = items.filter(active=True)
        self.fields["supported_items"].queryset = items.distinct()

    def _post_clean(self):
        # The service validates the contract (dates, items of this workspace).
        pass
