"""Which customer field each column of an import file fills (issue 5, step 3).

A mapping is {column: field}, the column given by its position (0, 1, ...) or its header.
Well-known headers map themselves: Patron's own export, Google Contacts' and Outlook's CSV
exports, and common variants ("e-mail", "surname", "zip", "cell"). Headers are compared
in lower case with only letters and digits, so "E-mail Address" and "email address" match.
"""

import csv
import io

from django.utils.text import capfirst

from patron.customers.models import Customer
from patron.customers.services import EDITABLE_FIELDS
from patron.updates.parsing import header_word

# The customer fields a file can fill: the form's own fields, in form order, but for the
# related rows (organization, category, tags, stores) and the logo, which a text cell
# cannot name. "number" (the customer no.) only finds the customer to update: new
# customers always get the workspace's next number.
FIELDS = [
    "number",
    *(
        name
        for name in EDITABLE_FIELDS
        if name != "logo" and not Customer._meta.get_field(name).is_relation
    ),
]
IGNORE = ""


def field_label(name: str) -> str:
    """The field's name as the customer form and Patron's export write it."""
    return str(capfirst(Customer._meta.get_field(name).verbose_name))


# Other names of each field. Patron's export headers (the field labels) are added below.
_ALIASES: dict[str, list[str]] = {
    "number": ["Customer no", "Customer number", "Customer ID", "Cust no"],
    "kind": ["Type of customer", "Person or organization"],
    "title": ["Name Prefix", "Salutation", "Prefix", "Honorific"],
    "first_name": ["First Name", "Given Name", "Forename", "Firstname", "First"],
    "middle_name": ["Middle Name", "Additional Name", "Middle", "Middle Initial"],
    "last_name": ["Last Name", "Family Name", "Surname", "Lastname", "Last"],
    "date_of_birth": ["Birthday", "DOB", "Date of birth", "Birth date", "Birthdate"],
    "company_name": [
        "Company",
        "Organization Name",
        "Organization 1 - Name",
        "Organisation",
        "Organization",
        "Company name",
        "Business name",
        "Employer",
    ],
    "job_title": ["Organization Title", "Organization 1 - Title", "Job Title", "Position", "Role"],
    "address_1": [
        "Address 1 - Street",
        "Business Street",
        "Home Street",
        "Other Street",
        "Street",
        "Address",
        "Address line 1",
        "Street address",
        "Address1",
    ],
    "address_2": [
        "Address 1 - Extended Address",
        "Business Street 2",
        "Home Street 2",
        "Address line 2",
        "Address2",
    ],
    "address_3": ["Business Street 3", "Home Street 3", "Address line 3", "Address3"],
    "city": ["Address 1 - City", "Business City", "Home City", "City", "Town", "Suburb"],
    "state": [
        "Address 1 - Region",
        "Business State",
        "Home State",
        "County",
        "Region",
        "Province",
    ],
    "postcode": [
        "Address 1 - Postal Code",
        "Business Postal Code",
        "Home Postal Code",
        "Postal code",
        "Post code",
        "Zip",
        "Zip code",
        "Postcode",
    ],
    "country": [
        "Address 1 - Country",
        "Business Country/Region",
        "Home Country/Region",
        "Country/Region",
    ],
    "email": [
        "E-mail 1 - Value",
        "E-mail Address",
        "Email address",
        "E-mail",
        "Mail",
        "Email 1",
    ],
    "work_phone": ["Business Phone", "Phone 2 - Value", "Work", "Office phone", "Telephone"],
    "home_phone": ["Home Phone", "Phone 3 - Value", "Home", "Phone"],
    "mobile_phone": [
        "Mobile Phone",
        "Phone 1 - Value",
        "Mobile",
        "Cell",
        "Cell phone",
        "Cellphone",
        "Mobile number",
    ],
    "fax": ["Business Fax", "Home Fax", "Fax number"],
    "gender": ["Sex"],
    "external_ref": ["External ref", "External reference", "External ID", "Ext ref"],
    "marketing_opt_out": ["Opt out", "Unsubscribed"],
}


def _known_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for name in FIELDS:
        for header in [field_label(name), name, *_ALIASES.get(name, [])]:
            words.setdefault(header_word(header), name)
    return words


KNOWN_WORDS = _known_words()


def field_for(header: str) -> str:
    """The field a header names, or IGNORE."""
    return KNOWN_WORDS.get(header_word(header), IGNORE)


def auto_mapping(headers: list[str]) -> dict[int, str]:
    """Each column's field by its header. A field is filled by the first column naming it
    (Outlook's business address before its home address); later ones are ignored."""
    mapping: dict[int, str] = {}
    taken = set()
    for index, header in enumerate(headers):
        name = field_for(header)
        if name and name not in taken:
            mapping[index] = name
            taken.add(name)
    return mapping


def resolve(headers: list[str], overrides: dict[int | str, str] | None = None) -> dict[int, str]:
    """The automatic mapping with the caller's overrides, each column named by position
    or header and each field by name or label ("" ignores the column). ValueError says
    what is wrong with an override."""
    mapping = auto_mapping(headers)
    labels = {header_word(field_label(name)): name for name in FIELDS}
    labels.update({header_word(name): name for name in FIELDS})
    for column, target in (overrides or {}).items():
        if isinstance(column, int):
            if not 0 <= column < len(headers):
                raise ValueError(f"The file has no column {column + 1}.")
            index = column
        else:
            matches = [
                i for i, header in enumerate(headers) if header_word(header) == header_word(column)
            ]
            if not matches:
                raise ValueError(
                    f"The file has no column “{column}”. Its columns are: {', '.join(headers)}."
                )
            index = matches[0]
        if not target or header_word(target) in {"ignore", "ignored", "none"}:
            mapping.pop(index, None)
            continue
        name = labels.get(header_word(target))
        if name is None:
            raise ValueError(
                f"“{target}” is not a customer field. The fields are: {', '.join(FIELDS)}."
            )
        # One column per field: the override takes it from the column that had it.
        for other, other_name in list(mapping.items()):
            if other_name == name and other != index:
                del mapping[other]
        mapping[index] = name
    return dict(sorted(mapping.items()))


# Google Contacts labels each phone ("Phone 1 - Label": "Mobile", "Work", "* Home"...).
PHONE_LABELS = {
    "mobile": "mobile_phone",
    "cell": "mobile_phone",
    "work": "work_phone",
    "business": "work_phone",
    "home": "home_phone",
    "workfax": "fax",
    "homefax": "fax",
    "fax": "fax",
}
PHONE_FIELDS = ("mobile_phone", "work_phone", "home_phone", "fax")


def label_columns(headers: list[str], mapping: dict[int, str]) -> dict[int, int]:
    """{phone value column: its label column} for Google's "Phone N - Value" columns."""
    positions = {header_word(header): index for index, header in enumerate(headers)}
    found = {}
    for index, name in mapping.items():
        word = header_word(headers[index])
        if name in PHONE_FIELDS and word.startswith("phone") and word.endswith("value"):
            label = positions.get(word.removesuffix("value") + "label")
            if label is not None:
                found[index] = label
    return found


def phone_field_for_label(label: str) -> str | None:
    return PHONE_LABELS.get(header_word(label.split(":::")[0]))


SAMPLE_ROWS = [
    [
        "Title", "First name", "Last name", "Company name", "Email", "Mobile phone",
        "Work phone", "Address 1", "City/suburb", "Postcode", "Country", "Customer type",
        "Ext. ref.",
    ],
    [
        "Ms", "Ada", "Lovelace", "", "ada@example.com", "07911 123456", "", "12 St James's Sq",
        "London", "SW1Y 4LB", "United Kingdom", "Customer", "CRM-1001",
    ],
    [
        "", "", "", "Acme Trading Ltd", "info@acme.example", "", "020 7946 0018",
        "1 High Street", "Leeds", "LS1 4AP", "United Kingdom", "Account", "",
    ],
]  # fmt: skip


def sample_csv() -> str:
    """A small file to start from (manual 002): the columns the import knows best, a person
    and an organization. UTF-8 with a byte-order mark, so Excel reads it right."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(SAMPLE_ROWS)
    return "\ufeff" + out.getvalue()
