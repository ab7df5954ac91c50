from django import forms

from patron.notes.models import Note
from patron.workspaces.models import User

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class NoteForm(forms.ModelForm):
    """The note form. Validation lives on the model and service; this only offers choices.

    "Call back by" offers the workspace's members only.
    """

    class Meta:
        model = Note
        fields = ["subject", "body", "callback_at", "callback_for", "callback_done"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "callback_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
            ),
        }

    def __init__(self, *args, workspace, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["callback_for"].queryset = User.objects.filter(
            memberships__workspace=workspace, is_active=True
        ).order_by("full_name", "email")
        self.fields["callback_for"].empty_label = "The note's author"
        if not self.instance.pk:
            self.fields["callback_for"].initial = user.pk
            del self.fields["callback_done"]
        self.fields["subject"].widget.attrs["maxlength"] = 200

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
