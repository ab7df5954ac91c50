from django import forms

from patron.mail.models import SentEmail


class ComposeForm(forms.Form):
    """Subject and text of an email; the service judges them (line breaks, blanks)."""

    subject = forms.CharField(max_length=SentEmail._meta.get_field("subject").max_length)
    body = forms.CharField(
        label="Text", widget=forms.Textarea(attrs={"rows": 14}), strip=False, max_length=100_000
    )
