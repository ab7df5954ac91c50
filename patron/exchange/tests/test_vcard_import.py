"""vCard files as phones and address books export them (issue 5: "Also imports vCard
files (.vcf, versions 3 and 4)"). The samples are written here in the shape of each
exporter's files: Apple Contacts (3.0, grouped labels, photos, birthdays without a year),
Google Contacts (3.0), Android (2.1, quoted-printable), and a 4.0 address book."""

import pytest

from patron.customers.models import Customer
from patron.exchange.importing import Options, import_run
from patron.exchange.reading import open_table

# Base64 of a picture, folded at 75 characters as exporters do: 3 MB of it, more than a
# cell may hold, so the test fails if the picture were gathered rather than passed over.
PHOTO_LINES = "".join(
    " " + "/9j/4AAQSkZJRgABAQAAAQABAAD" * 2 + "AAAAAAAAAAAAAAAAAAAA\r\n" for _ in range(40_000)
)

APPLE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\n"
    "N:Appleseed;Johnny;Quincy;Mr.;\r\n"
    "FN:Mr. Johnny Quincy Appleseed\r\n"
    "ORG:Orchard Ltd;Sales\r\n"
    "TITLE:Head Gardener\r\n"
    "EMAIL;type=INTERNET;type=HOME:jq@home.example.com\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:Johnny@Orchard.example.com\r\n"
    "item1.X-ABLabel:_$!<Work>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+44 7911 123456\r\n"
    "item2.TEL:0113 496 0000\r\n"
    "item2.X-ABLabel:_$!<WorkFAX>!$_\r\n"
    "item3.TEL:020 7946 0018\r\n"
    "item3.X-ABLabel:_$!<Home>!$_\r\n"
    "item4.ADR;type=HOME;type=pref:;;1 Orchard Row\\nThe Old Barn;Leeds;West Yorkshire;"
    "LS1 4AP;United Kingdom\r\n"
    "item4.X-ABADR:gb\r\n"
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-07-09\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n" + PHOTO_LINES + "END:VCARD\r\n"
)

GOOGLE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "FN:Grace Hopper\r\n"
    "N:Hopper;Grace;Brewster;;\r\n"
    "EMAIL;TYPE=INTERNET;TYPE=WORK:grace@navy.example.com\r\n"
    "TEL;TYPE=CELL:07911 123457\r\n"
    "TEL;TYPE=WORK:020 7946 0019\r\n"
    "ADR;TYPE=HOME:;;12 Market Street;York;;YO1 8RS;United Kingdom\r\n"
    "ORG:Navy\r\n"
    "TITLE:Rear Admiral\r\n"
    "BDAY:1906-12-09\r\n"
    "item1.URL:http\\://example.com/grace\r\n"
    "item1.X-ABLabel:\r\n"
    "NOTE:Wrote the first compiler\\, and a long note folded by the export at seventy-f\r\n"
    " ive characters.\r\n"
    "CATEGORIES:myContacts\r\n"
    "END:VCARD\r\n"
)

ANDROID = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
    "TEL;CELL:+44 7911 123458\r\n"
    "TEL;HOME:0113 496 0001\r\n"
    "EMAIL;HOME:juergen@example.com\r\n"
    "ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Stra=C3=9Fe 1=0AHinterhaus;M=C3=BC=\r\n"
    "nchen;Bayern;80331;Deutschland\r\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE:A long note broken by a soft line br=\r\n"
    "eak in the middle.\r\n"
    "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
    "  /2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGBwkICAcHBwgJDQoKCQ\r\n"
    "  kJCQkKDAwLDAsPDw8PEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ\r\n"
    "\r\n"
    "END:VCARD\r\n"
)

VCARD_4 = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "FN:Dr. Zoë Brontë\r\n"
    "N:Brontë;Zoë;;Dr.;\r\n"
    'TEL;VALUE=uri;TYPE="cell,voice";PREF=1:tel:+44-7911-123459\r\n'
    "TEL;VALUE=uri;TYPE=work:tel:+44-20-7946-0020\r\n"
    "EMAIL;PREF=2:zoe.work@example.com\r\n"
    "EMAIL;PREF=1:zoe@example.com\r\n"
    'ADR;TYPE=home;LABEL="1 Moor Lane\\nHaworth: West Yorkshire":;;1 Moor Lane;Haworth;'
    "West Yorkshire;BD22 8DR;United Kingdom\r\n"
    "BDAY:--0730\r\n"
    "END:VCARD\r\n"
)


@pytest.fixture
def imported(tmp_path, workspace):
    path = tmp_path / "contacts.vcf"
    path.write_bytes((APPLE + GOOGLE + ANDROID + VCARD_4).encode())
    table = open_table(path)
    assert table.file_format == "vcf"
    report = import_run(workspace=workspace, actor=None, table=table, options=Options())
    assert (report.created, report.failed) == (4, 0), report.errors
    return {c.last_name: c for c in Customer.objects.in_workspace(workspace)}


def fields(customer, *names):
    return tuple(str(getattr(customer, name)) for name in names)


def test_an_apple_contacts_card(imported):
    johnny = imported["Appleseed"]
    assert fields(johnny, "title", "first_name", "middle_name", "company_name", "job_title") == (
        "Mr",
        "Johnny",
        "Quincy",
        "Orchard Ltd",
        "Head Gardener",
    )
    # The preferred address, not the first; the grouped labels say which phone is which.
    assert johnny.email == "johnny@orchard.example.com"
    assert fields(johnny, "mobile_phone", "fax", "home_phone", "work_phone") == (
        "+447911123456",
        "+441134960000",
        "+442079460018",
        "",
    )
    assert fields(johnny, "address_1", "address_2", "city", "state", "postcode", "country") == (
        "1 Orchard Row",
        "The Old Barn",
        "Leeds",
        "West Yorkshire",
        "LS1 4AP",
        "United Kingdom",
    )
    assert johnny.date_of_birth is None  # Apple's 1604 means "no year"


def test_a_google_contacts_card(imported):
    grace = imported["Hopper"]
    assert fields(grace, "first_name", "middle_name", "email", "company_name", "job_title") == (
        "Grace",
        "Brewster",
        "grace@navy.example.com",
        "Navy",
        "Rear Admiral",
    )
    assert fields(grace, "mobile_phone", "work_phone", "city", "postcode", "date_of_birth") == (
        "+447911123457",
        "+442079460019",
        "York",
        "YO1 8RS",
        "1906-12-09",
    )


def test_an_android_card_in_quoted_printable(imported):
    juergen = imported["Müller"]
    assert fields(juergen, "first_name", "email", "mobile_phone", "home_phone") == (
        "Jürgen",
        "juergen@example.com",
        "+447911123458",
        "+441134960001",
    )
    # "=0A" is a line break in the street; "=" at a line's end joins the next line.
    assert fields(juergen, "address_1", "address_2", "city", "state", "postcode") == (
        "Straße 1",
        "Hinterhaus",
        "München",
        "Bayern",
        "80331",
    )


def test_a_vcard_4_card(imported):
    zoe = imported["Brontë"]
    assert fields(zoe, "title", "first_name", "email", "mobile_phone", "work_phone") == (
        "Dr",
        "Zoë",
        "zoe@example.com",  # PREF=1 wins over the first one
        "+447911123459",
        "+442079460020",
    )
    # A quoted LABEL holding ":" and ";" does not cut the address short.
    assert fields(zoe, "address_1", "city", "state", "postcode") == (
        "1 Moor Lane",
        "Haworth",
        "West Yorkshire",
        "BD22 8DR",
    )
    assert zoe.date_of_birth is None  # "--0730": no year


def test_a_windows_1252_vcard_file(tmp_path, workspace):
    path = tmp_path / "outlook.vcf"
    path.write_bytes(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Brontë;Anne\r\nEMAIL;INTERNET:anne@example.com\r\n"
        "END:VCARD\r\n".encode("cp1252")
    )
    table = open_table(path)
    assert (table.file_format, table.encoding) == ("vcf", "cp1252")
    report = import_run(workspace=workspace, actor=None, table=table, options=Options())
    assert report.created == 1
    assert Customer.objects.get(email="anne@example.com").last_name == "Brontë"
