"""The import wizard's forms (manual 000 "Import Customers" and "Import Customer List")."""

from django import forms

from patron.customers.models import Customer
from patron.exchange import importing, jobs
from patron.exchange.mapping import FIELDS, IGNORE, field_label
from patron.exchange.models import ImportMapping
from patron.lists.forms import _check_name_free
from patron.lists.models import CustomerList
from patron.updates.parsing import DELIMITER_NAMES

# What each usage matches a row to an existing customer by (manual 000, step 5). The
# customer no. and the external ref. always come first: each names one customer.
USAGE_MATCHING = {
    "": "No usage: a row matches a customer by email, then by phone, then by name and "
    "postcode (each in turn, which finds the most matches).",
    "email": "Email: a row matches a customer with the same email address.",
    "phone": "Phone: a row matches a customer with the same work, home or mobile phone.",
    "mail": "Mail: a row matches a customer with the same name and postcode.",
}
USAGE_CHOICES = [("", "No usage"), ("email", "Email"), ("phone", "Phone"), ("mail", "Mail")]
MATCH_CHOICES = [
    ("update", "Update it with the file's values"),
    ("skip", "Skip the row (leave the customer as it is)"),
    ("fill", "Fill only the customer's empty fields"),
]
ENCODING_CHOICES = [
    ("", "Detect"),
    ("utf-8-sig", "UTF-8"),
    ("cp1252", "Windows-1252 (Excel on Windows)"),
    ("latin-1", "ISO-8859-1 (Latin-1)"),
    ("utf-16", "UTF-16"),
    ("mac-roman", "Mac Roman"),
]
DELIMITER_CHOICES = [("", "Detect"), *DELIMITER_NAMES.items()]


class OptionsForm(forms.Form):
    """Step 1: what new customers are and what becomes of the customers the file matches."""

    customer_type = forms.ChoiceField(
        choices=Customer.Type.choices,
        initial=Customer.Type.PROSPECT,
        help_text="The type of new customers (a column of types in the file wins).",
    )
    overwrite_type = forms.BooleanField(
        required=False,
        label="Overwrite customer type",
        help_text="Existing customers found in the file take the type above.",
    )
    overwrite_status = forms.BooleanField(
        required=False,
        label="Overwrite customer status",
        help_text="Existing customers found in the file take its status (Active or Void): "
        "map a column to Status in step 3.",
    )
    usage = forms.ChoiceField(
        choices=USAGE_CHOICES,
        required=False,
        label="List usage",
        help_text=" ".join(USAGE_MATCHING.values()),
    )
    match = forms.ChoiceField(
        choices=MATCH_CHOICES,
        initial="update",
        widget=forms.RadioSelect,
        label="When a row matches an existing customer",
    )

    def options(self) -> importing.Options:
        data = self.cleaned_data
        return importing.Options(
            customer_type=data["customer_type"],
            overwrite_type=data["overwrite_type"],
            overwrite_status=data["overwrite_status"],
            usage=data.get("usage") or "",
            match=data["match"],
        )


class ListOptionsForm(OptionsForm):
    """Step 1 of "Import Customer List": the list's details, then the import's options.
    The list's usage is also the import's: it says who may join and how rows match."""

    name = forms.CharField(label="List name", max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    vendor = forms.CharField(
        max_length=200, required=False, help_text="The organization that provided the list."
    )
    cost = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    expiry_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day the list may be used.",
    )
    usage_frequency = forms.IntegerField(
        min_value=0, initial=0, help_text="How many times the list has been used."
    )
    source = forms.ChoiceField(
        choices=CustomerList.Source.choices,
        initial=CustomerList.Source.OWN,
        label="List source",
        help_text="Which sort of vendor provided the list.",
    )

    field_order = [
        "name",
        "description",
        "vendor",
        "cost",
        "expiry_date",
        "usage_frequency",
        "source",
        "usage",
        "customer_type",
        "overwrite_type",
        "overwrite_status",
        "match",
    ]
    LIST_FIELDS = field_order[:8]

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["usage"].help_text = (
            "Who may join the list: "
            + " ".join(
                f"{label}: {CustomerList.USAGE_HELP[value]}"
                for value, label in CustomerList.Usage.choices
            )
            + " How rows match existing customers: "
            + " ".join(USAGE_MATCHING.values())
        )
        self.order_fields(self.field_order)

    def clean_name(self):
        return _check_name_free(self.workspace, self.cleaned_data["name"])

    def list_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.LIST_FIELDS} | {
            "usage": self.cleaned_data.get("usage") or ""
        }


class UploadForm(forms.Form):
    """Step 2: the file, and how to read it if the detection guessed wrong."""

    file = forms.FileField(
        required=False,
        allow_empty_file=True,  # refused by the reading, with the same words as the API
        help_text=f"A CSV (any common delimiter; UTF-8 or Windows-1252), an Excel workbook "
        f"(.xlsx, its first sheet) or a vCard file (.vcf, versions 3 and 4). At most "
        f"{jobs.MAX_UPLOAD_BYTES // 1_048_576} MB; the first row holds the column names.",
    )
    encoding = forms.ChoiceField(choices=ENCODING_CHOICES, required=False)
    delimiter = forms.ChoiceField(choices=DELIMITER_CHOICES, required=False)

    def __init__(self, *args, has_file: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None and not self.has_file:
            raise forms.ValidationError("Choose the file to import.")
        if upload is not None:
            try:
                jobs.check_upload(upload.name, upload.size)
            except forms.ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return upload


FIELD_CHOICES = [(IGNORE, "Ignore"), *((name, field_label(name)) for name in FIELDS)]


class MappingForm(forms.Form):
    """Step 3: each column to a customer field or "Ignore"; optionally saved by name."""

    save_as = forms.CharField(
        max_length=100,
        required=False,
        label="Save this mapping as",
        help_text="A name to choose it by with the next file from the same source.",
    )

    def __init__(self, *args, headers: list[str], samples: list[list[str]], workspace, **kw):
        super().__init__(*args, **kw)
        self.workspace = workspace
        self.headers = headers
        for index, header in enumerate(headers):
            values = [row[index] for row in samples if index < len(row) and row[index]]
            self.fields[f"column_{index}"] = forms.ChoiceField(
                choices=FIELD_CHOICES,
                required=False,
                label=header or f"Column {index + 1}",
                help_text=", ".join(value[:40] for value in values[:3]),
            )
        self.order_fields([f"column_{index}" for index in range(len(headers))])

    def columns(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def clean_save_as(self):
        name = self.cleaned_data["save_as"].strip()
        if (
            name
            and ImportMapping.objects.in_workspace(self.workspace)
            .filter(name__iexact=name)
            .exists()
        ):
            raise forms.ValidationError("A saved mapping with this name already exists.")
        return name

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"column_{i}") for i in range(len(self.headers))]
        taken = [name for name in chosen if name]
        twice = sorted({name for name in taken if taken.count(name) > 1})
        if twice:
            raise forms.ValidationError(
                "Each field can be filled by one column only; chosen more than once: "
                + ", ".join(field_label(name) for name in twice)
                + "."
            )
        if not taken:
            raise forms.ValidationError("Map at least one column to a customer field.")
        return data

    def fields_chosen(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{i}") or "" for i in range(len(self.headers))]
