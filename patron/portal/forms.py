from django import forms

from patron.cases.models import Case


class LoginForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(strip=False, widget=forms.PasswordInput)


class RequestForm(forms.Form):
    subject = forms.CharField(max_length=Case._meta.get_field("subject").max_length)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=Case._meta.get_field("description").max_length,
        help_text="What happened, and what you need from us.",
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="Current password", strip=False, widget=forms.PasswordInput
    )
    new_password = forms.CharField(label="New password", strip=False, widget=forms.PasswordInput)


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(max_length=254)


class PasswordResetForm(forms.Form):
    new_password = forms.CharField(label="New password", strip=False, widget=forms.PasswordInput)


class StaffPasswordForm(forms.Form):
    password = forms.CharField(
        label="New password",
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text="Leave blank to email the customer a generated one; "
        "a password typed here is not emailed: tell it to the customer.",
    )


class ManagerForm(forms.Form):
    is_organization_manager = forms.BooleanField(required=False)


class PortalSettingsForm(forms.Form):
    portal_access_for_new_customers = forms.BooleanField(
        label="Grant portal access to every new customer with an email",
        required=False,
        help_text="A person created with an email address gets a generated password by email.",
    )
