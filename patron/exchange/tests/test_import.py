import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from openpyxl import Workbook

from patron.customers.models import Customer
from patron.customers.queries import global_search
from patron.exchange import export
from patron.exchange.importing import Options, import_preview, import_run
from patron.exchange.mapping import auto_mapping, resolve, sample_csv
from patron.exchange.models import ImportJob
from patron.exchange.reading import open_table
from patron.history.models import Change
from patron.testing.factories import make_customer


def write_csv(tmp_path, rows, name="people.csv", encoding="utf-8", delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path / name
    path.write_bytes(out.getvalue().encode(encoding))
    return open_table(path)


def run(workspace, table, actor=None, **options):
    return import_run(workspace=workspace, actor=actor, table=table, options=Options(**options))


def customers(workspace):
    return Customer.objects.in_workspace(workspace).order_by("number")


# --- Reading -----------------------------------------------------------------------------


def test_reads_semicolons_in_windows_1252_and_a_utf8_bom(tmp_path):
    table = write_csv(
        tmp_path, [["Surname", "City"], ["Müller", "Zürich"]], encoding="cp1252", delimiter=";"
    )
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert list(table.rows()) == [(2, ["Müller", "Zürich"])]
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffLast name\tEmail\r\nZoë\tz@example.com\r\n".encode())
    table = open_table(path)
    assert table.headers == ["Last name", "Email"] and table.delimiter == "\t"
    assert list(table.rows()) == [(2, ["Zoë", "z@example.com"])]


def test_reads_the_first_sheet_of_an_xlsx(tmp_path, workspace):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Last name", "Customer no.", "Date of birth"])
    sheet.append(["Lovelace", 1043, None])
    workbook.create_sheet("Other").append(["Nope"])
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    table = open_table(path)
    assert table.file_format == "xlsx"
    assert list(table.rows()) == [(2, ["Lovelace", "1043"])]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"Last name,Email\r\n", "no rows under it"), (b"a\x00b", "not a text")],
)
def test_files_that_cannot_be_imported_say_why(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        open_table(path)


def test_a_file_unreadable_at_its_end_writes_nothing(tmp_path, workspace):
    path = tmp_path / "huge.csv"
    path.write_text("Last name,Notes\nByron,ok\nKeats," + "x" * 2_000_000 + "\n")
    table = open_table(path)
    with pytest.raises(ValidationError, match="could not be read as CSV near line 3"):
        import_run(workspace=workspace, actor=None, table=table, batch_size=1)
    assert not customers(workspace).exists() and not ImportJob.objects.exists()


def test_ten_thousand_columns_are_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(10_000)) + "\n" + "x," * 9_999 + "x\n")
    with pytest.raises(ValidationError, match="10,000 columns; an import takes at most 1,000"):
        open_table(path)


# --- Mapping -----------------------------------------------------------------------------


def test_google_contacts_headers_map_themselves():
    headers = [
        "First Name", "Middle Name", "Last Name", "Name Prefix", "Birthday", "Notes",
        "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value",
        "Organization Name", "Organization Title", "Address 1 - Street", "Address 1 - City",
        "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    ]  # fmt: skip
    named = {headers[index]: name for index, name in auto_mapping(headers).items()}
    assert named == {
        "First Name": "first_name",
        "Middle Name": "middle_name",
        "Last Name": "last_name",
        "Name Prefix": "title",
        "Birthday": "date_of_birth",
        "E-mail 1 - Value": "email",
        "Phone 1 - Value": "mobile_phone",
        "Organization Name": "company_name",
        "Organization Title": "job_title",
        "Address 1 - Street": "address_1",
        "Address 1 - City": "city",
        "Address 1 - Region": "state",
        "Address 1 - Postal Code": "postcode",
        "Address 1 - Country": "country",
    }
    older = ["Given Name", "Family Name", "Organization 1 - Name", "Organization 1 - Title"]
    assert list(auto_mapping(older).values()) == [
        "first_name", "last_name", "company_name", "job_title"
    ]  # fmt: skip


def test_google_phone_labels_say_which_phone_it_is(tmp_path, workspace):
    headers = ["Last Name", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label"]
    headers += ["Phone 2 - Value"]
    table = write_csv(
        tmp_path,
        [
            headers,
            ["Work First", "* Work", "020 7946 0018", "Mobile", "07911 123456 ::: 07911 654321"],
            ["No Label", "", "07911 123457", "", ""],
        ],
    )
    run(workspace, table)
    first, second = customers(workspace)
    assert (first.work_phone, first.mobile_phone) == ("+442079460018", "+447911123456")
    assert (second.mobile_phone, second.work_phone) == ("+447911123457", "")


def test_the_sample_file_imports_as_it_is(tmp_path, workspace):
    path = tmp_path / "sample.csv"
    path.write_text(sample_csv(), encoding="utf-8")
    table = open_table(path)
    assert len(resolve(table.headers)) == len(table.headers)
    report = run(workspace, table)
    assert (report.created, report.failed) == (2, 0), report.errors
    ada, acme = customers(workspace)
    assert (ada.customer_type, ada.is_external, acme.kind) == ("customer", True, "organization")


def test_outlook_headers_map_themselves_business_address_first():
    headers = [
        "Title", "First Name", "Last Name", "Company", "Job Title", "Business Street",
        "Business City", "Business Postal Code", "Home Street", "Home City", "Business Fax",
        "Business Phone", "Home Phone", "Mobile Phone", "E-mail Address", "E-mail 2 Address",
    ]  # fmt: skip
    named = {headers[index]: name for index, name in auto_mapping(headers).items()}
    assert named == {
        "Title": "title",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Company": "company_name",
        "Job Title": "job_title",
        "Business Street": "address_1",
        "Business City": "city",
        "Business Postal Code": "postcode",
        "Business Fax": "fax",
        "Business Phone": "work_phone",
        "Home Phone": "home_phone",
        "Mobile Phone": "mobile_phone",
        "E-mail Address": "email",
    }


def test_common_variants_ignore_case_and_punctuation():
    headers = ["EMAIL", "e-mail address", "SurName", "zip", "Post Code", "cell", "Town", "??"]
    assert auto_mapping(headers) == {
        0: "email", 2: "last_name", 3: "postcode", 5: "mobile_phone", 6: "city"
    }  # fmt: skip


def test_the_caller_overrides_the_mapping():
    headers = ["Name", "Mail", "Notes"]
    assert resolve(headers, {"Name": "last_name", "mail": "", 2: "Job title"}) == {
        0: "last_name",
        2: "job_title",
    }
    with pytest.raises(ValueError, match="“Shoe size” is not a customer field"):
        resolve(headers, {"Notes": "Shoe size"})
    with pytest.raises(ValueError, match="no column “Phone”"):
        resolve(headers, {"Phone": "home_phone"})


# --- Validation, creation, History -----------------------------------------------------------


def test_creates_customers_normalized_with_history(tmp_path, workspace, admin):
    table = write_csv(
        tmp_path,
        [
            ["First Name", "Last Name", "E-mail Address", "Mobile Phone", "Postcode"],
            ["Ada", "Lovelace", "ADA@Example.COM", "07911 123456", "SW1A 1AA"],
            ["", "", "", "", ""],
            ["Acme", "", "", "", ""],  # neither a last name nor a company: refused
        ],
    )
    report = run(workspace, table, actor=admin, customer_type="customer")
    assert (report.created, report.failed) == (1, 1)
    ada = customers(workspace).get()
    assert (ada.email, ada.mobile_phone, ada.name_key) == (
        "ada@example.com",
        "+447911123456",
        "lovelace ada",
    )
    assert ada.customer_type == "customer" and ada.number == 1
    assert list(ada.stores.values_list("name", flat=True)) == ["Main store"]
    change = Change.objects.get(object_id=ada.pk)
    assert (change.action, change.via, change.reason, change.actor) == (
        "create",
        "import",
        f"Imported from people.csv (import {report.job.pk})",
        admin,
    )
    assert {"field": "email", "label": "Email", "old": "", "new": "ada@example.com"} in (
        change.fields
    )
    # The next customer made by hand takes the next number.
    assert make_customer(workspace, admin).number == 2


def test_every_bad_row_is_reported_with_row_column_and_reason(tmp_path, workspace):
    table = write_csv(
        tmp_path,
        [
            ["Surname", "E-mail", "Date of birth", "Mobile", "Gender"],
            ["Good", "good@example.com", "", "", ""],
            ["Bad", "not-an-email", "31/02/1990", "", "F"],
            ["Worse", "", "", "12", "Alien"],
            ["", "nameless@example.com", "", "", ""],
        ],
    )
    report = import_preview(workspace=workspace, table=table)
    assert (report.created, report.failed) == (1, 3)
    by_row = {(error.row, error.column) for error in report.errors}
    assert by_row == {
        (3, "Date of birth"),
        (4, "Gender"),
        (5, "Surname"),
    }  # reading errors first: a row with an unreadable cell is not validated further
    reasons = {(error.row, error.column): error.reason for error in report.errors}
    assert "is not one of: Male, Female" in reasons[4, "Gender"]
    assert reasons[5, "Surname"] == "A person needs a last name."
    # Once readable, the customer's own rules speak: the email and the phone.
    table = write_csv(
        tmp_path,
        [["Surname", "E-mail", "Mobile"], ["Bad", "not-an-email", ""], ["Worse", "", "12"]],
        name="two.csv",
    )
    report = import_preview(workspace=workspace, table=table)
    assert [(e.row, e.column) for e in report.errors] == [(2, "E-mail"), (3, "Mobile")]
    assert "not a valid phone number" in report.errors[1].reason


def test_failed_rows_csv_has_the_original_columns_and_a_reason(tmp_path, workspace):
    table = write_csv(
        tmp_path, [["Surname", "Email"], ["Ok", "ok@example.com"], ["Oops", "no@"], ["Short"]]
    )
    report = run(workspace, table)
    assert report.summary() == (
        "3 rows read: 2 were created, 0 updated, 0 unchanged, 0 skipped, 1 failed."
    )
    rows = list(csv.reader(io.StringIO(report.failed_csv().lstrip("\ufeff"))))
    assert rows[0] == ["Surname", "Email", "Reason"]
    assert rows[1][:2] == ["Oops", "no@"] and rows[1][2].startswith("Email: Enter a valid email")


def test_many_bad_rows_keep_200_problems_on_the_job_and_every_row_in_the_download(
    tmp_path, workspace, admin, client
):
    rows = [["Surname", "Email"]] + [[f"Bad{n}", f"bad{n}@"] for n in range(250)]
    report = run(workspace, write_csv(tmp_path, rows), actor=admin)
    job = report.job
    job.refresh_from_db()
    assert (job.failed, len(job.errors), len(report.errors)) == (250, 200, 200)
    assert job.failures.count() == 250
    client.force_login(admin)
    download = client.get(f"/customers/imports/{job.pk}/failed-rows.csv")
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert len(lines) == 1 + 250 and lines[-1].startswith("Bad249,bad249@,Email:")
    page = client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert "Bad rows (250 rows)" in page and "The first 200 problems" in page


def test_the_import_job_keeps_the_report(tmp_path, workspace, admin):
    table = write_csv(tmp_path, [["Surname", "Email"], ["Ok", "ok@example.com"], ["Oops", "no@"]])
    report = run(workspace, table, actor=admin, usage="email", match="fill")
    job = ImportJob.objects.get(workspace=workspace)
    assert job == report.job
    assert (job.status, job.file_name, job.created_by, job.rows, job.created, job.failed) == (
        "done",
        "people.csv",
        admin,
        2,
        1,
        1,
    )
    assert job.options["usage"] == "email" and job.options["match"] == "fill"
    assert job.mapping == {"Surname": "last_name", "Email": "email"}
    assert job.errors == [{"row": 3, "column": "Email", "reason": report.errors[0].reason}]
    # The refused rows are kept once, in ImportFailure; the download reads them there.
    assert job.finished_at
    assert report.failed_csv().splitlines()[1].startswith("Oops,no@,Email: Enter a valid")


def test_a_preview_counts_a_person_repeated_in_a_later_batch_once(tmp_path, workspace):
    rows = [["Last name", "Email"], ["Byron", "b@example.com"], ["Keats", "k@example.com"]]
    rows.append(["Byron", "B@EXAMPLE.COM"])
    table = write_csv(tmp_path, rows)
    preview = import_preview(workspace=workspace, table=table, batch_size=2)
    report = import_run(workspace=workspace, actor=None, table=table, batch_size=2)
    assert (preview.created, preview.updated + preview.unchanged) == (2, 1)
    assert (report.created, report.updated + report.unchanged) == (2, 1)


def test_cells_quoted_by_the_export_are_read_as_written(tmp_path, workspace):
    table = write_csv(tmp_path, [["Last name", "Mobile"], ["'=Smith", "'+447911123456"]])
    run(workspace, table)
    assert customers(workspace).values_list("last_name", "mobile_phone").get() == (
        "=Smith",
        "+447911123456",
    )


def test_dry_run_writes_nothing(tmp_path, workspace):
    table = write_csv(tmp_path, [["Surname", "Email"], ["A", "a@example.com"], ["B", ""]])
    report = import_preview(workspace=workspace, table=table)
    assert (report.created, report.dry_run) == (2, True)
    assert "2 would be created" in report.summary()
    assert not customers(workspace).exists() and not Change.objects.exists()
    assert report.job is None and not ImportJob.objects.exists()


def test_a_queued_job_runs_again_from_what_it_recorded(tmp_path, workspace, other_workspace):
    table = write_csv(tmp_path, [["Name", "Mail"], ["Byron", "b@example.com"]])
    job = ImportJob.objects.create(workspace=workspace, file_name="people.csv")
    report = import_run(
        workspace=workspace,
        actor=None,
        table=table,
        mapping={"Name": "last_name", "Mail": "email"},
        options=Options(match="skip"),
        job=job,
    )
    job.refresh_from_db()
    assert report.job == job and (job.status, job.created) == ("done", 1)
    again = import_run(
        workspace=workspace,
        actor=None,
        table=table,
        mapping=job.mapping,
        options=Options(**job.options),
    )
    assert (again.created, again.skipped) == (0, 1)
    with pytest.raises(ValueError, match="another workspace"):
        import_run(workspace=other_workspace, actor=None, table=table, job=job)


# --- Matching ------------------------------------------------------------------------------


@pytest.fixture
def ada(workspace, admin):
    return make_customer(
        workspace,
        admin,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        work_phone="+442079460018",
        postcode="SW1A 1AA",
        external_ref="CRM-7",
        city="London",
    )


@pytest.mark.parametrize(
    ("header", "value", "usage"),
    [
        ("Email", "ADA@EXAMPLE.COM", "email"),
        ("Home phone", "020 7946 0018", "phone"),
        ("Mobile", "+44 20 7946 0018", ""),
        ("Ext. ref.", "CRM-7", "mail"),
        ("Customer no.", "1", "phone"),
    ],
)
def test_each_key_finds_the_customer(tmp_path, workspace, ada, header, value, usage):
    table = write_csv(tmp_path, [[header, "City"], [value, "Paris"]])
    report = run(workspace, table, usage=usage)
    assert (report.created, report.updated) == (0, 1)
    ada.refresh_from_db()
    assert (ada.city, ada.version) == ("Paris", 2)
    change = Change.objects.filter(object_id=ada.pk).first()
    assert (change.action, change.via, change.reason) == (
        "update",
        "import",
        f"Imported from people.csv (import {report.job.pk})",
    )
    assert {
        "field": "city",
        "label": "City/suburb",
        "old": "London",
        "new": "Paris",
    } in change.fields


def test_name_and_postcode_match_accents_and_spaces_aside(tmp_path, workspace, ada):
    table = write_csv(
        tmp_path,
        [["First name", "Last name", "Postcode", "City"], ["ADA", "Lóvelace", "sw1a1aa", "Bath"]],
    )
    assert run(workspace, table, usage="mail").updated == 1
    ada.refresh_from_db()
    assert ada.city == "Bath" and customers(workspace).count() == 1


def test_a_customer_no_of_someone_else_does_not_match(tmp_path, workspace, ada):
    table = write_csv(tmp_path, [["Customer no.", "Last name", "City"], ["1", "Byron", "Rome"]])
    assert run(workspace, table).created == 1
    ada.refresh_from_db()
    assert ada.city == "London"


def test_a_usage_matches_by_its_key_only(tmp_path, workspace, ada):
    table = write_csv(tmp_path, [["Last name", "Email", "Postcode"], ["Lovelace", "", "SW1A 1AA"]])
    assert run(workspace, table, usage="email").created == 1


def test_match_actions_update_skip_fill(tmp_path, workspace, ada):
    rows = [["Email", "City", "State"], ["ada@example.com", "Paris", "Île-de-France"]]
    assert run(workspace, write_csv(tmp_path, rows), match="skip").skipped == 1
    ada.refresh_from_db()
    assert (ada.city, ada.state, ada.version) == ("London", "", 1)
    assert run(workspace, write_csv(tmp_path, rows), match="fill").updated == 1
    ada.refresh_from_db()
    assert (ada.city, ada.state) == ("London", "Île-de-France")
    assert run(workspace, write_csv(tmp_path, rows), match="update").updated == 1
    ada.refresh_from_db()
    assert (ada.city, ada.state) == ("Paris", "Île-de-France")
    assert run(workspace, write_csv(tmp_path, rows)).unchanged == 1


def test_a_company_without_a_name_is_an_organization_only_when_new(tmp_path, workspace, ada):
    rows = [["Email", "Company"], ["ada@example.com", "Analytical Engines"], ["", "Acme Ltd"]]
    assert run(workspace, write_csv(tmp_path, rows)).created == 1
    ada.refresh_from_db()
    assert (ada.kind, ada.company_name) == ("person", "Analytical Engines")
    assert customers(workspace).get(company_name="Acme Ltd").kind == "organization"


def test_type_and_status_change_only_when_asked(tmp_path, workspace, ada):
    rows = [["Email", "Status", "Customer type"], ["ada@example.com", "Void", "Account"]]
    run(workspace, write_csv(tmp_path, rows), customer_type="customer")
    ada.refresh_from_db()
    assert (ada.status, ada.customer_type) == ("active", "prospect")
    run(
        workspace,
        write_csv(tmp_path, rows),
        customer_type="customer",
        overwrite_type=True,
        overwrite_status=True,
    )
    ada.refresh_from_db()
    assert (ada.status, ada.customer_type) == ("void", "customer")


def test_a_person_twice_in_the_file_is_created_once(tmp_path, workspace):
    table = write_csv(
        tmp_path,
        [
            ["Last name", "Email", "City"],
            ["Byron", "b@example.com", ""],
            ["Byron", "B@example.com", "Rome"],
        ],
    )
    report = run(workspace, table)
    assert (report.created, report.updated) == (1, 1)
    assert customers(workspace).get().city == "Rome"


def test_another_workspaces_customers_are_never_matched(tmp_path, workspace, other_workspace):
    theirs = make_customer(other_workspace, None, last_name="Twin", email="twin@example.com")
    table = write_csv(
        tmp_path, [["Last name", "Email", "Customer no."], ["Twin", "twin@example.com", "1"]]
    )
    report = run(workspace, table)
    assert report.created == 1
    theirs.refresh_from_db()
    assert theirs.version == 1 and customers(other_workspace).count() == 1


def test_an_invalid_update_changes_nothing(tmp_path, workspace, ada):
    table = write_csv(tmp_path, [["Email", "Work phone"], ["ada@example.com", "12"]])
    report = run(workspace, table)
    assert report.failed == 1 and report.errors[0].column == "Work phone"
    ada.refresh_from_db()
    assert (ada.work_phone, ada.version) == ("+442079460018", 1)


# --- Round trip and scale ---------------------------------------------------------------------


def test_patrons_own_export_imports_into_another_workspace(
    tmp_path, workspace, other_workspace, admin
):
    make_customer(
        workspace,
        admin,
        title="Dr",
        first_name="Zoë",
        last_name="Smith",
        date_of_birth="1980-02-29",
        email="zoe@example.com",
        mobile_phone="07911 123456",
        customer_type="account",
        marketing_opt_out=True,
        external_ref="X1",
        gender="female",
    )
    make_customer(workspace, admin, kind="organization", company_name="Acme Ltd", city="Leeds")
    path = tmp_path / "export.csv"
    path.write_bytes(b"".join(export.write_csv(export.stream(customers(workspace)))))
    table = open_table(path)
    assert {table.headers[i] for i in resolve(table.headers)} >= {
        "Customer no.", "Kind", "Title", "First name", "Mobile phone", "Customer type", "Ext. ref."
    }  # fmt: skip
    report = run(other_workspace, table)
    assert (report.created, report.failed) == (2, 0), report.errors
    compared = [
        "kind", "title", "first_name", "last_name", "date_of_birth", "email", "mobile_phone",
        "customer_type", "marketing_opt_out", "external_ref", "is_external", "gender",
        "company_name", "city", "status", "name_key",
    ]  # fmt: skip
    assert list(customers(other_workspace).values(*compared)) == list(
        customers(workspace).values(*compared)
    )


def test_vcards_from_a_phone_import(tmp_path, workspace):
    path = tmp_path / "contacts.vcf"
    path.write_bytes(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:José Núñez\r\nN:Núñez;José;;Dr;\r\n"
        "TEL;TYPE=cell:+44 7911 123456\r\nTEL;TYPE=work,voice:020 7946 0018\r\n"
        "item1.EMAIL;TYPE=INTERNET:JOSE@example.com\r\nBDAY:19850315\r\n"
        "ADR;TYPE=home:;;1 High St\\nFlat 2;Leeds;;LS1 4AP;United Kingdom\r\n"
        "NOTE:a long note that is fol\r\n ded\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Acme Ltd\r\nORG:Acme Ltd;Sales\r\n"
        "TEL:0113 496 0000\r\nEND:VCARD\r\n".encode()
    )
    table = open_table(path)
    assert table.file_format == "vcf"
    report = run(workspace, table)
    assert (report.created, report.failed) == (2, 0), report.errors
    jose, acme = customers(workspace)
    assert (jose.title, jose.first_name, jose.last_name, jose.email) == (
        "Dr",
        "José",
        "Núñez",
        "jose@example.com",
    )
    assert (jose.mobile_phone, jose.work_phone, str(jose.date_of_birth)) == (
        "+447911123456",
        "+442079460018",
        "1985-03-15",
    )
    assert (jose.address_1, jose.address_2, jose.city, jose.postcode) == (
        "1 High St",
        "Flat 2",
        "Leeds",
        "LS1 4AP",
    )
    assert (acme.kind, acme.company_name, acme.mobile_phone) == (
        "organization",
        "Acme Ltd",
        "+441134960000",
    )


def test_patrons_own_vcards_import_into_another_workspace(
    tmp_path, workspace, other_workspace, london, paris
):
    path = tmp_path / "export.vcf"
    path.write_bytes(b"".join(export.write_vcf(export.stream(customers(workspace)))))
    assert run(other_workspace, open_table(path)).created == 2
    compared = ["first_name", "last_name", "email", "mobile_phone", "city"]
    assert list(customers(other_workspace).order_by("name_key").values(*compared)) == list(
        customers(workspace).order_by("name_key").values(*compared)
    )


def test_3000_rows_take_a_bounded_number_of_queries(
    tmp_path, workspace, ada, django_assert_max_num_queries
):
    rows = [["Last name", "Email", "Mobile", "Postcode"]]
    rows += [
        [f"Person {n}", f"p{n}@example.com", f"07911 1{n:05d}", "LS1 4AP"] for n in range(3000)
    ]
    rows.append(["Lovelace", "ADA@example.com", "", ""])
    table = write_csv(tmp_path, rows)
    # 4 batches of 1,000 rows: about 11 queries each (checkpoint, lookups, numbers, the
    # new customers' ids, bulk writes, counts); on SQLite 14 more a batch, none per row, to
    # put the new customers in the email index at once (search_index.deferred); on
    # PostgreSQL 2 to turn bitmap scans off around the email lookup and back (the
    # trigram index: importing._without_bitmap_scans).
    per_batch = 14 + (14 if connection.vendor == "sqlite" else 2)
    with django_assert_max_num_queries(4 * per_batch):
        report = run(workspace, table)
    assert (report.created, report.updated, report.failed) == (3000, 0, 0), report.errors[:3]
    assert report.unchanged == 1
    assert customers(workspace).count() == 3001
    assert Change.objects.filter(via="import").count() == 3000
    assert customers(workspace).last().number == 3001


def test_history_of_an_import_reads_as_historys_own_rules_say(tmp_path, workspace, ada):
    """The import words History itself (fast, once per value): the same words as
    history.services.snapshot() gives for the stored customers."""
    from patron.exchange.importing import HISTORY_FIELDS
    from patron.history.services import differences, snapshot

    header = ["Title", "First name", "Last name", "Gender", "Date of birth", "Mobile", "Fax"]
    zoe = ["Dr", "Zoë", "Smith", "F", "1980-02-29", "07911 123456", "+33 1 42 68 53 00"]
    ada_row = ["", "Ada", "Lovelace", "Female", "", "+44 7911 123457", ""]
    table = write_csv(
        tmp_path,
        [
            [*header, "Opt out", "Ext. ref.", "Email", "Status"],
            [*zoe, "Yes", "X1", "zoe@example.com", "Void"],
            [*ada_row, "no", "", "ada@example.com", ""],
        ],
    )
    report = run(workspace, table, usage="email", overwrite_status=True)
    assert (report.created, report.updated) == (1, 1)
    zoe = customers(workspace).get(last_name="Smith")
    created = Change.objects.get(object_id=zoe.pk)
    expected = differences({}, snapshot(zoe, HISTORY_FIELDS))
    assert created.fields[:-1] == expected and created.fields[-1]["field"] == "stores"
    assert {"field": "fax", "label": "Fax", "old": "", "new": "+33 1 42 68 53 00"} in expected
    assert {"field": "gender", "label": "Gender", "old": "", "new": "Female"} in expected
    ada.refresh_from_db()
    updated = Change.objects.filter(object_id=ada.pk, action="update").get()
    assert [(change["field"], change["new"]) for change in updated.fields] == [
        ("mobile_phone", snapshot(ada, ["mobile_phone"])["mobile_phone"][1]),
        ("gender", "Female"),
    ]


def test_imported_customers_are_found_by_part_of_their_email(tmp_path, workspace, ada):
    # On SQLite the import fills the email index once per batch, not through its trigger.
    rows = [["Last name", "Email"], ["Hopper", "grace.hopper@navy.example"]]
    rows += [[f"Person {n}", f"p{n}@example.com"] for n in range(5)]
    run(workspace, write_csv(tmp_path, rows))
    found = global_search(customers(workspace), "hopper@navy", "GB")
    assert [c.last_name for c in found] == ["Hopper"]
    assert {c.last_name for c in global_search(customers(workspace), "@example.co", "GB")} == {
        f"Person {n}" for n in range(5)
    } | {"Lovelace"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's email index (FTS5)")
def test_an_import_leaves_the_email_index_in_one_segment(tmp_path, workspace):
    """Each batch adds its emails to the index as a segment; a fragment's lookup reads each
    one, so the finished import merges them (search_index.optimize)."""
    from patron.customers import search_index

    rows = [["Last name", "Email"]] + [[f"Poet{n}", f"poet{n}@verse.example"] for n in range(6)]
    import_run(workspace=workspace, actor=None, table=write_csv(tmp_path, rows), batch_size=2)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT segid) FROM {search_index.FTS_TABLE}_idx")
        assert cursor.fetchone()[0] == 1
    found = global_search(Customer.objects.in_workspace(workspace), "@verse", "GB")
    assert sorted(c.last_name for c in found) == [f"Poet{n}" for n in range(6)]
