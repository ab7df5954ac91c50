"""The import's shortcuts (text fields checked by their length alone, plain emails without
email-validator, rows written by COPY on PostgreSQL) change nothing a user can see: each
row is stored, or refused with the same words, as the customer form's service would."""

import csv
import json

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from patron.customers.models import Customer
from patron.customers.services import customer_create
from patron.exchange.importing import Options, import_run
from patron.exchange.reading import open_table
from patron.history.models import Change

HEADER = ["Title", "First name", "Last name", "Company name", "Email", "Work phone", "Gender"]
ROWS = [
    ["Dr", "Jane", "Doe", "", "Jane.Doe@Example.CO.UK", "020 7946 0018", "F"],
    ["", "Jürgen", "Groß", "", "Jürgen@Bücher.example", "+49 30 901820", "male"],
    ["", "", "", "Acme Ltd", "sales@acme-widgets.com", "", ""],
    ["Mr", "A" * 101, "Long", "", "", "", ""],  # 101 characters: one too many
    ["", "Bad", "Email", "", "person7@", "", ""],
    ["", "Bad", "Domain", "", "x@printer.local", "", ""],
    ["", "Bad", "Phone", "", "", "12", ""],
]
COMPARED = [
    field.attname
    for field in Customer._meta.concrete_fields
    if field.name not in {"id", "number", "created_at", "updated_at"}
]


def form_values(row: list[str]) -> dict:
    """What the customer form would be given for the row."""
    names = ["title", "first_name", "last_name", "company_name", "email"]
    values = dict(zip(names, row[:5], strict=True))
    values.update(work_phone=row[5], gender={"F": "female", "male": "male"}.get(row[6], ""))
    if row[3] and not row[2]:
        values["kind"] = Customer.Kind.ORGANIZATION
    return {name: value for name, value in values.items() if value}


def test_rows_are_stored_and_refused_as_the_customer_form_would(tmp_path, workspace, admin):
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([HEADER, *ROWS])
    report = import_run(
        workspace=workspace,
        actor=admin,
        table=open_table(path),
        options=Options(customer_type="prospect"),
    )
    assert (report.created, report.failed) == (3, 4)
    imported = list(Customer.objects.in_workspace(workspace).order_by("number"))
    reasons = {error.row: error.reason for error in report.errors}
    for number, row in enumerate(ROWS, start=2):
        try:
            expected = customer_create(
                workspace=workspace, actor=admin, data=form_values(row), via="page"
            )
        except ValidationError as error:
            messages = [text for texts in error.message_dict.values() for text in texts]
            assert reasons[number] in messages, row
            continue
        customer = imported.pop(0)
        assert [getattr(customer, name) for name in COMPARED] == [
            getattr(expected, name) for name in COMPARED
        ], row
        history = Change.objects.get(object_id=customer.pk, via="import").fields
        form_history = Change.objects.get(object_id=expected.pk).fields
        assert sorted(history, key=str) == sorted(form_history, key=str), row
    assert not imported
    assert reasons[5] == "Ensure this value has at most 100 characters (it has 101)."


TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=TEXTS, last=TEXTS, job=TEXTS, city=TEXTS, store=TEXTS)
@example(first='Zoë "Jr"', last="O'Brien\\", job="</script>\x01\t", city="東京 😀", store="")
def test_a_new_customers_history_json_is_what_json_dumps_writes(
    tmp_path, workspace, first, last, job, city, store
):
    """The reading process writes a new customer's History fields as JSON text itself;
    SQLite stores that text as it is: the very text json.dumps gives for the fields."""
    from patron.exchange.importing import _Importer

    path = tmp_path / "one.csv"
    path.write_text("Last name\nDoe\n", encoding="utf-8")
    importer = _Importer(
        workspace=workspace,
        actor=None,
        table=open_table(path),
        mapping=None,
        options=Options(),
        dry_run=True,
    )
    importer.stores_words = store
    customer = importer.new_customer(
        {"first_name": first, "last_name": last, "job_title": job, "city": city}
    )
    customer.title, customer.mobile_phone = Customer.Title.DR, "+447911123456"
    assert importer.created_json(customer) == json.dumps(importer.created_fields(customer))


def test_matched_customers_are_updated_as_the_customer_form_would(tmp_path, workspace, admin):
    """The import writes a batch's updates in one statement (on PostgreSQL its values as
    arrays): each customer ends as the form's service leaves its twin given the same
    values, text that looks like an array's or SQL's syntax and a cleared timestamp too."""
    from django.utils import timezone

    from patron.customers.services import customer_update
    from patron.testing.factories import make_customer

    header = ["Ext. ref.", "Email", "Job title", "Date of birth", "Gender", "Mobile", "City"]
    rows = [
        ["X0", "new@example.com", 'O"Brien {x}, \\ NULL', "1980-02-29", "F", "07911 123456", ""],
        ["X1", "", "NULL", "", "", "", "{}"],
        ["X2", "", "", "2001-01-01", "male", "", "Zoë's \t town"],
    ]
    path = tmp_path / "updates.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([header, *rows])
    imported, twins = [], []
    since = timezone.now()
    for row in rows:
        for made, ref in ((imported, row[0]), (twins, "")):
            customer = make_customer(
                workspace, admin, last_name="Doe", email="old@example.com", external_ref=ref
            )
            customer.email_invalid_since = since
            customer.save(update_fields=["email_invalid_since"])
            made.append(customer)
    report = import_run(workspace=workspace, actor=admin, table=open_table(path))
    assert (report.updated, report.failed) == (3, 0), report.errors
    fields = ["email", "job_title", "date_of_birth", "gender", "mobile_phone", "city"]
    compared = [name for name in COMPARED if name not in {"external_ref", "is_external"}]
    for customer, twin, row in zip(imported, twins, rows, strict=True):
        data = dict(zip(fields, row[1:], strict=True))
        data = {name: {"F": "female"}.get(value, value) for name, value in data.items() if value}
        customer_update(customer=twin, actor=admin, data=data, via="test")
        customer.refresh_from_db()
        twin.refresh_from_db()
        assert [getattr(customer, name) for name in compared] == [
            getattr(twin, name) for name in compared
        ], row
    assert imported[0].job_title == 'O"Brien {x}, \\ NULL' and imported[1].job_title == "NULL"
    assert imported[0].email_invalid_since is None  # a corrected address may be mailed again
    assert imported[1].email_invalid_since is not None
