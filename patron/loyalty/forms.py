from django import forms
from django.db.models import Q

from patron.loyalty.models import MAX_POINTS, HouseAccount
from patron.loyalty.services import HOUSE_ACCOUNT_FIELDS


class PointsForm(forms.Form):
    """Add points or Redeem points: how many (a positive number) and, optionally, why."""

    points = forms.IntegerField(min_value=1, max_value=MAX_POINTS)
    reason = forms.CharField(
        max_length=255, required=False, help_text='E.g. "Purchase 1234" or "Birthday bonus".'
    )


class AdjustmentForm(forms.Form):
    """A correction: points to add (positive) or take away (negative), and why."""

    points = forms.IntegerField(
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text="Positive to add points, negative to take them away.",
    )
    reason = forms.CharField(max_length=255, help_text="Why the balance is corrected.")


class HouseAccountForm(forms.ModelForm):
    class Meta:
        model = HouseAccount
        fields = HOUSE_ACCOUNT_FIELDS


class CustomerHouseAccountsForm(forms.Form):
    """Select House Accounts: tick the accounts the customer may charge to. Active accounts
    are offered, and any inactive one the customer already has."""

    house_accounts = forms.ModelMultipleChoiceField(
        queryset=HouseAccount.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        held = list(customer.customer_house_accounts.values_list("house_account", flat=True))
        field = self.fields["house_accounts"]
        field.queryset = HouseAccount.objects.in_workspace(customer.workspace).filter(
            Q(active=True) | Q(pk__in=held)
        )
        field.label_from_instance = lambda account: (
            f"{account.name} (credit limit {account.credit_limit})"
            + ("" if account.active else " — inactive")
        )
        if not self.is_bound:
            self.initial["house_accounts"] = held
