from django import forms

from patron.attachments.filetypes import ACCEPTED_EXTENSIONS


class AttachmentForm(forms.Form):
    """Upload or replace a file, with a description. The file is checked by the service."""

    file = forms.FileField(
        allow_empty_file=True,  # the service says so, with the file's name
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        help_text="PDF, images, Word, Excel, PowerPoint, OpenDocument, text, CSV or email.",
    )
    description = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, replacing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if replacing:
            self.fields["file"].required = False
            self.fields["file"].label = "Replace the file"
            self.fields["file"].help_text = "Leave empty to keep the current file."
        self.fields["file"].widget = forms.FileInput(attrs=self.fields["file"].widget.attrs)

    def service_data(self) -> dict:
        data = {"description": self.cleaned_data["description"]}
        if self.cleaned_data.get("file"):
            data["file"] = self.cleaned_data["file"]
        return data
