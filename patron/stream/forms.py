from django import forms

from patron.stream.models import BODY_MAX_LENGTH


class BodyForm(forms.Form):
    """The text of a post or a comment. The rules live on the model; this only reads it."""

    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write something first."},
    )
