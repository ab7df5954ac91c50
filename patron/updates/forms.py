from django import forms

from patron.updates import parsing
from patron.updates.models import BulkUpdate


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file adds", choices=BulkUpdate.Kind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns separated by commas, semicolons, tabs or vertical bars; a header row is "
            f"optional. At most {parsing.content_size(parsing.MAX_BYTES)} and "
            f"{parsing.MAX_ROWS:,} rows. Customers are named by their customer no."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        parsing.check_size(upload.size)  # before reading it
        return upload


class ApplyForm(forms.Form):
    skip_bad_rows = forms.BooleanField(required=False)
