"""Importing customers from a CSV or XLSX file (issue 5; manual 000 "Import Customers").

One service for the pages, the API and `patron import`:
- `import_preview()` reads and validates every row and matches it to existing customers,
  counting what the import would create, update, skip or refuse; it writes nothing.
- `import_run()` does the same and writes, a batch of rows per transaction: new customers
  in one bulk insert, matched ones in one bulk update, a History entry for each saying it
  came from this import.
- `import_resume()` goes on with a job that stopped (an error, or a process killed at any
  row) from its last committed batch.

Nothing is half-imported: a batch's customers, their History, the refused rows and the
job's counts and checkpoint (`next_row`) commit in one transaction, so the job always says
exactly what is in the database, and a resumed run ends where an uninterrupted one would.

Rows are validated with the customer's own rules (the fields' checks for the values the
row sets, then `Customer.clean()`: emails in lower case, phones in E.164 for the
workspace's region, name keys), so an imported customer is stored exactly as one typed
into the form. Matching compares those normalized forms, looking up a whole batch's keys
in one query per kind of key. Writing runs one INSERT (a COPY on PostgreSQL) or UPDATE
over a batch's rows.
"""

import copy
import csv
import datetime
import gc
import io
import multiprocessing
import pickle
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import islice
from json.encoder import encode_basestring_ascii as _json_string  # json.dumps' own
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import validators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import connection, connections, models, transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import normalize_newlines

from patron.core.models import Sequence
from patron.customers import search_index
from patron.customers.loose_search import array_literal, id_in
from patron.customers.models import Customer
from patron.customers.normalize import normalize_email, normalize_phone
from patron.customers.services import AUDITED_FIELDS, MANY_TO_MANY_FIELDS
from patron.exchange import mapping as mapping_module
from patron.exchange.export import FORMULA_STARTS
from patron.exchange.mapping import FIELDS, field_label
from patron.exchange.models import ImportFailure, ImportJob, failed_row
from patron.exchange.reading import Table, open_table
from patron.history.models import Change
from patron.history.services import differences, snapshot
from patron.lists import rules as list_rules
from patron.lists.models import CustomerList, ListEntry
from patron.lists.services import list_add_customers
from patron.updates.parsing import header_word, parse_customer_number, parse_date

# Rows a transaction: each batch pays its fixed costs (the lookups' planning, the
# checkpoint, COPY's start, the commit) once. PostgreSQL, 200,000 rows into 200,000:
# 166-169 us a row at 1,000, 157-159 at 2,000, 155 at 4,000; memory grows with it.
BATCH_SIZE = 2000
# Problems a finished import keeps to show (page, API, command); all the refused rows are
# in ImportFailure, which the failed-rows CSV is read from.
ERRORS_KEPT = 200
# Fields validation need not check: the number comes at writing, and the foreign keys are
# the import's own workspace and actor or left as they were (checking each costs a query).
CLEAN_EXCLUDE = ["number", "workspace", "created_by", "organization", "category"]
VIA = "import"
READABLE_VALUES = 16_384  # History's words for this many values are kept at most

MATCH_ACTIONS = ("update", "skip", "fill")
# The keys that find an existing customer, tried in this order. The customer no. and the
# external ref. name one customer exactly, so they come first whatever the usage.
IDENTITY_KEYS = ["number", "external_ref"]
USAGE_KEYS = {
    "email": ["email"],
    "phone": ["phone"],
    "mail": ["name_postcode"],
    "": ["email", "phone", "name_postcode"],  # no usage: each in turn (manual 000)
}
PHONE_KEY_FIELDS = ("work_phone", "home_phone", "mobile_phone")
HISTORY_FIELDS = [name for name in AUDITED_FIELDS if name not in MANY_TO_MANY_FIELDS]
CHOICE_FIELDS = {
    name for name in FIELDS if name != "number" and Customer._meta.get_field(name).choices
}
BOOLEAN_FIELDS = {"is_external", "marketing_opt_out"}
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class Options:
    """Manual 000's step 1, plus what to do with a customer the file matches."""

    customer_type: str = Customer.Type.PROSPECT  # for new customers without a type column
    overwrite_type: bool = False  # matched customers take `customer_type`
    overwrite_status: bool = False  # matched customers take the file's status
    usage: str = ""  # "email", "phone", "mail" or "" (each key in turn)
    match: str = "update"  # "update", "skip" or "fill" (only the customer's empty fields)

    def __post_init__(self):
        if self.usage not in USAGE_KEYS:
            raise ValueError(f"Unknown usage “{self.usage}”: choose email, phone or mail.")
        if self.match not in MATCH_ACTIONS:
            raise ValueError(f"Unknown match action “{self.match}”: choose update, skip or fill.")
        if self.customer_type not in Customer.Type.values:
            raise ValueError(
                f"Unknown customer type “{self.customer_type}”: choose prospect, customer or "
                "account."
            )


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str  # the column's header, or the field's label when no column fills it
    reason: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column or 'the row'}: {self.reason}"


@dataclass
class Report:
    file_name: str
    headers: list[str]
    mapping: dict[int, str]
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # matched and updated, but the file said nothing new
    skipped: int = 0  # matched, and the match action is "skip"
    failed: int = 0  # refused rows
    joined_list: int = 0  # customers who joined the job's list
    refused_by_list: int = 0  # imported, but the list's rules refused them
    errors: list[RowError] = field(default_factory=list)
    failed_rows: list[tuple[list[str], str]] = field(default_factory=list)
    list_refusals: list[RowError] = field(default_factory=list)  # why each was refused
    customer_list: CustomerList | None = None
    job: ImportJob | None = None  # the run's record; None for a preview

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "failed": self.failed,
            "joined_list": self.joined_list,
            "refused_by_list": self.refused_by_list,
        }

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.rows} rows read: {self.created} {verb} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped, {self.failed} failed."
        ) + (
            f" {self.joined_list} joined the list “{self.customer_list.name}”, "
            f"{self.refused_by_list} refused by its rules."
            if self.customer_list and not self.dry_run
            else ""
        )

    def failed_csv(self) -> str:
        """The refused rows as they were, plus a Reason column: fix them and import again.
        A run's come from the database (ImportFailure), a preview's from memory."""
        if self.job is not None and not self.dry_run:
            return "".join(self.job.failed_rows_csv_chunks())
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*self.headers, "Reason"])
        for cells, reason in self.failed_rows:
            writer.writerow(failed_row(self.headers, cells, reason))
        return "\ufeff" + out.getvalue()


# --- Reading one row into field values --------------------------------------------------


@lru_cache(maxsize=4096)  # a file repeats its few titles, genders and types on every row
def _choice(name: str, text: str) -> str:
    options = Customer._meta.get_field(name).choices
    word = header_word(text)
    for value, label in options:
        if word in {header_word(str(value)), header_word(str(label))}:
            return value
    # An abbreviation that names one choice only: "F" for Female, "Acc" for Account.
    starting = [
        value for value, label in options if word and header_word(str(label)).startswith(word)
    ]
    if len(starting) == 1 and len(word) < 4:
        return starting[0]
    if name == "title":  # "Prof", "Rev"...: kept as written
        return Customer.Title.OTHER
    raise ValidationError(
        f"“{text}” is not one of: {', '.join(str(label) for _, label in options)}."
    )


def _boolean(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(f"“{text}” is not Yes or No.")


@lru_cache(maxsize=65_536)  # birthdays repeat: 36,525 days in a century
def _date(text: str) -> datetime.date | None:
    if text.startswith("--"):  # Google's birthday without a year
        return None
    return parse_date(text[:10] if len(text) > 10 and text[4] == "-" else text)


def _first_value(text: str) -> str:
    # Google Contacts puts several addresses in one cell: "a@x.com ::: b@y.com".
    return text.split(":::")[0].strip()


def read_values(
    cells: list[str], mapping: dict[int, str], labels: dict[int, int] | None = None
) -> tuple[dict[str, Any], dict]:
    """The row's non-empty mapped cells as field values, and {field: reason} for cells that
    cannot be read (a date that is not one, a choice that is not offered). `labels` gives
    phone columns whose label column says which phone it is (Google Contacts)."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for index, name in mapping.items():
        text = cells[index] if index < len(cells) else ""
        if text[:1] == "'" and text[1:2] and text[1:].startswith(FORMULA_STARTS):
            text = text[1:]  # quoted by Patron's export so a spreadsheet shows it as text
        if not text:
            continue
        try:
            if name == "number":
                values[name] = parse_customer_number(text)
            elif name in CHOICE_FIELDS:
                values[name] = _choice(name, text)
                if name == "title" and values[name] == Customer.Title.OTHER:
                    values.setdefault("title_other", text)
            elif name in BOOLEAN_FIELDS:
                values[name] = _boolean(text)
            elif name == "date_of_birth":
                birthday = _date(text)
                if birthday:
                    values[name] = birthday
            elif name in Customer.PHONE_FIELDS and labels and index in labels:
                label = cells[labels[index]] if labels[index] < len(cells) else ""
                target = mapping_module.phone_field_for_label(label) or name
                free = [f for f in (target, name, *Customer.PHONE_FIELDS) if f not in values]
                if free:
                    values[free[0]] = _first_value(text)
            elif name == "email" or name in Customer.PHONE_FIELDS:
                values[name] = _first_value(text)
            else:
                values[name] = text
        except ValidationError as error:
            problems[name] = " ".join(error.messages)
    return values, problems


# --- Matching -----------------------------------------------------------------------------


def _postcode_key(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def match_keys(customer: Customer, region: str, *, cleaned: bool = False) -> dict[str, list]:
    """The keys that would find this unsaved customer, normalized as stored data is. A
    customer that passed validation is normalized already; otherwise a value that does
    not normalize gives no key (validation reports it)."""
    keys: dict[str, list] = {"number": [], "external_ref": [], "email": [], "phone": []}
    if customer.number:
        keys["number"].append(customer.number)
    if customer.external_ref:
        keys["external_ref"].append(customer.external_ref)
    if cleaned:
        keys["email"] = [customer.email] if customer.email else []
        keys["phone"] = [p for p in map(customer.__dict__.get, PHONE_KEY_FIELDS) if p]
        keys["name"] = [customer.name_key] if customer.name_key else []
        postcode = _postcode_key(customer.postcode)
        keys["name_postcode"] = (
            [(customer.name_key, postcode)] if customer.name_key and postcode else []
        )
        return keys
    try:
        if email := normalize_email(customer.email):
            keys["email"].append(email)
    except ValidationError:
        pass
    for name in PHONE_KEY_FIELDS:
        try:
            if phone := normalize_phone(getattr(customer, name), region):
                keys["phone"].append(phone)
        except ValidationError:
            pass
    name_key = customer.compute_name_keys()[0]
    keys["name"] = [name_key] if name_key else []
    postcode = _postcode_key(customer.postcode)
    keys["name_postcode"] = [(name_key, postcode)] if name_key and postcode else []
    return keys


def _index(customer: Customer, region: str) -> Iterator[tuple[str, Any]]:
    """(kind, key) for every key a stored (cleaned) customer answers to."""
    yield "number", customer.number
    if customer.external_ref:
        yield "external_ref", customer.external_ref
    if customer.email:
        yield "email", customer.email
    for name in PHONE_KEY_FIELDS:
        if phone := getattr(customer, name):
            yield "phone", phone
    if customer.name_key and customer.postcode:
        yield "name_postcode", (customer.name_key, _postcode_key(customer.postcode))


def _text_in(name: str, values: set[str]) -> Q:
    """Customers whose field `name` is one of the values. On PostgreSQL as a join with
    the values as one array: the planner answers it by looking each value up in the
    field's (workspace, field) index (asked `email IN (...)` it estimated that index
    dearer than a scan of the whole workspace), and a batch's statement has one
    parameter, not a thousand for the client to quote and the server to parse."""
    if connection.vendor == "postgresql":
        # The array's text made here: psycopg quotes a list element by element, 3 ms of
        # CPU for 2,000 values (a batch's emails and external references).
        array = array_literal(sorted(values))
        return Q(**{f"{name}__in": RawSQL("SELECT unnest(%s::text[])", [array])})
    return Q(**{f"{name}__in": values})


@contextmanager
def _without_bitmap_scans(wanted: bool = True) -> Iterator[None]:
    """PostgreSQL: the block's queries make no bitmap scan, the only way to read a GIN
    index: the email search's trigram index (customers.search_index) answers an email's
    equality slowly, yet the planner takes it at times (a batch of 1,000 addresses 1-6 s
    at 20,000-50,000 customers, 10 ms through (workspace, email, id)). Set for the
    transaction only, so that an error, which rolls it back, takes the setting back too."""
    if connection.vendor != "postgresql" or not wanted:
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_bitmapscan'), "
            "set_config('enable_bitmapscan', 'off', true)"
        )
        before = cursor.fetchone()[0]
        yield
        cursor.execute("SELECT set_config('enable_bitmapscan', %s, true)", [before])


def _lookup(workspace, wanted: dict[str, set], *, lock: bool) -> dict[tuple[str, Any], Customer]:
    """The workspace's customers (not in the recycle bin) having any wanted key: one query
    per kind of key. The oldest customer wins a key several share."""
    base = (
        Customer.objects.in_workspace(workspace)
        .current()
        .select_related("organization", "category")
    )
    if lock:
        base = base.select_for_update(of=("self",))
    conditions = {
        "number": Q(number__in=wanted["number"]),
        "external_ref": _text_in("external_ref", wanted["external_ref"]),
        "email": _text_in("email", wanted["email"]),
        "phone": Q(work_phone__in=wanted["phone"])
        | Q(home_phone__in=wanted["phone"])
        | Q(mobile_phone__in=wanted["phone"]),
        "name_postcode": Q(name_key__in={name for name, _ in wanted["name_postcode"]}),
    }
    found: dict[int, Customer] = {}
    for kind, condition in conditions.items():
        if not wanted[kind]:
            continue
        query = base.filter(condition).order_by("pk")
        if found:  # a customer an earlier kind found is not read again (the same person)
            query = query.exclude(id_in(list(found)))
        with _without_bitmap_scans(kind == "email"):
            customers = list(query)
        for customer in customers:
            if customer.pk not in found:
                customer.workspace = workspace  # History reads its region: no query per row
                found[customer.pk] = customer
    index: dict[tuple[str, Any], Customer] = {}
    for customer in found.values():
        for key in _index(customer, workspace.default_region):
            index.setdefault(key, customer)
    return index


# --- Planning and writing a batch -------------------------------------------------------


@dataclass
class _Batch:
    created: list[Customer] = field(default_factory=list)
    updated: dict[int, Customer] = field(default_factory=dict)  # by id(), in file order
    before: dict[int, dict] = field(default_factory=dict)  # id() -> snapshot before
    after: dict[int, dict] = field(default_factory=dict)  # id() -> snapshot, last update
    # The customers the batch's rows name (created or matched), by id(), with the first
    # row naming each: offered to the job's list.
    named: dict[int, tuple[Customer, int]] = field(default_factory=dict)


class ImportConflict(Exception):
    """Another process moved the job on (two runs of one job): this one stops, leaving
    the job to the other."""


class _Importer:
    def __init__(
        self,
        *,
        workspace,
        actor,
        table: Table,
        mapping,
        options: Options,
        dry_run: bool,
        job: ImportJob | None = None,
        batch_size: int = BATCH_SIZE,
        columns: dict[int, str] | None = None,
    ):
        self.workspace = workspace
        self.actor = actor
        self.table = table
        self.options = options
        self.dry_run = dry_run
        self.region = workspace.default_region
        # `columns` is a mapping resolved before ({position: field}, a job's), taken as is.
        self.mapping = columns or mapping_module.resolve(table.headers, mapping)
        if not self.mapping:
            raise ValidationError(
                "No column of the file is mapped to a customer field. Its columns are: "
                f"{', '.join(table.headers)}.",
                code="mapping",
            )
        self.columns = {name: table.headers[index] for index, name in self.mapping.items()}
        self.labels = mapping_module.label_columns(table.headers, self.mapping)
        self.readable: dict[tuple[str, Any], str] = {}  # History's words for a value
        self.blank: Customer | None = None  # the new customer each row's is copied from
        self.stores_json: str | None = None  # the stores' History field as JSON
        self.change_prefix: tuple | None = None  # what every History entry shares
        self.key_order = IDENTITY_KEYS + USAGE_KEYS[options.usage]
        self.report = Report(
            file_name=table.name, headers=table.headers, mapping=self.mapping, dry_run=dry_run
        )
        # New customers not yet in the database, by key, so a person twice in the file is
        # created once. A run writes each batch, so it needs this for one batch only.
        self.pending: dict[tuple[str, Any], Customer] = {}
        # A preview writes nothing, so the keys of customers it would create in earlier
        # batches are kept here (keys only: a million customers would not fit).
        self.planned: set[tuple[str, Any]] = set()
        self.stores = list(workspace.stores.all())
        self.stores_words = ", ".join(sorted(str(store) for store in self.stores))
        self.reason = f"Imported from {table.name}"[:255]
        self.batch_size = max(1, batch_size)
        # A run's refused rows of the batch in hand, stored with it.
        self.failures: list[ImportFailure] = []
        self.job = job
        self.customer_list = job.customer_list if job is not None else None
        self.report.customer_list = self.customer_list
        if job is not None:
            for name in self.report.counts():
                setattr(self.report, name, getattr(job, name))  # a resumed run goes on
            self.report.job = job
            self.next_row = job.next_row
            self.reason = f"Imported from {table.name}"[:230] + f" (import {job.pk})"

    def column(self, name: str) -> str:
        if name == NON_FIELD_ERRORS:
            return ""
        return self.columns.get(name) or field_label(name)

    def fail(self, number: int, cells: list[str], problems: dict[str, list[str]]) -> None:
        errors = [
            RowError(number, self.column(name), reason)
            for name, reasons in problems.items()
            for reason in reasons
        ]
        reason = "; ".join(
            f"{error.column}: {error.reason}" if error.column else error.reason for error in errors
        )
        self.report.failed += 1
        if self.dry_run:
            self.report.errors.extend(errors)
            self.report.failed_rows.append((cells, reason))
            return
        # A run keeps them in the database, with the batch: never all in memory.
        self.failures.append(
            ImportFailure(
                job=self.job,
                row=number,
                cells=cells,
                errors=[{"column": error.column, "reason": error.reason} for error in errors],
                reason=reason,
            )
        )

    def new_customer(self, values: dict[str, Any]) -> Customer:
        if self.blank is None:
            self.blank = Customer(
                workspace=self.workspace,
                customer_type=self.options.customer_type,
                created_by=self.actor if getattr(self.actor, "pk", None) else None,
            )
        # A copy of one made the usual way: Model.__init__ per row costs more than the
        # rest of reading the row.
        customer = Customer.__new__(Customer)
        customer.__dict__.update(self.blank.__dict__)
        customer._state = ModelState()
        customer._state.fields_cache = dict(self.blank._state.fields_cache)
        for name, value in values.items():
            setattr(customer, name, value)
        if "kind" not in values and not customer.last_name and customer.company_name:
            # A new row with a company and no person's name is the organization itself.
            customer.kind = Customer.Kind.ORGANIZATION
        return customer

    def find(self, keys: dict[str, list], index) -> Customer | None:
        for kind in self.key_order:
            for key in keys[kind]:
                if (kind, key) in self.planned:
                    return PLANNED
                match = self.pending.get((kind, key)) or index.get((kind, key))
                if match is None:
                    continue
                # Customer numbers are only this workspace's: another workspace's export
                # has the same numbers for other people. A number finds its customer
                # only when the row names the same person (or no one).
                if kind == "number" and keys["name"] and keys["name"][0] != match.name_key:
                    continue
                return match
        return None

    def merge(self, target: Customer, values: dict[str, Any]) -> Customer:
        """A copy of `target` with the row's values as the match action says."""
        trial = copy.copy(target)
        fill = self.options.match == "fill"
        for name, value in values.items():
            if name == "number" or (name == "status" and not self.options.overwrite_status):
                continue
            if name == "customer_type":
                continue  # only the overwrite option changes a matched customer's type
            if fill and getattr(trial, name) not in ("", None, False):
                continue
            setattr(trial, name, value)
        if self.options.overwrite_type:
            trial.customer_type = self.options.customer_type
        if trial.email != target.email:
            trial.email_invalid_since = None  # a corrected address may be mailed again
        return trial

    def prepare(self, rows: list[tuple[int, list[str]]], *, describe: bool = False) -> list:
        """Each row read, validated as a new customer and normalized, with its keys:
        (number, cells, None, (values, customer, keys, invalid)), or (number, cells,
        problems, None) for a row that cannot be read. Touches neither the database nor
        the report: a second process can do it for the next batch (`_Pipeline`), and
        then also word the History of each valid row's customer as created (`describe`),
        which `write()` takes unless the customer changes before."""
        prepared = []
        if len(self.readable) > READABLE_VALUES:
            self.readable.clear()
        for number, cells in rows:
            # A row that does not line up with the header would put values in the wrong
            # fields (a delimiter or line break inside an unquoted cell): refuse it whole.
            if ragged := self.table.row_problem(cells):
                prepared.append((number, cells, {NON_FIELD_ERRORS: [ragged]}, None))
                continue
            values, problems = read_values(cells, self.mapping, self.labels)
            if problems:
                problems = {name: [reason] for name, reason in problems.items()}
                prepared.append((number, cells, problems, None))
                continue
            customer = self.new_customer(values)
            # Validated as a new customer first: most rows are, and a valid one is then
            # normalized for matching too. A row that matches is validated again merged.
            invalid = _validate(customer, values) or None
            keys = match_keys(customer, self.region, cleaned=invalid is None)
            if describe and invalid is None:
                # As JSON: what the History row stores, and quicker to send than a list.
                customer.__dict__[CREATED_FIELDS] = self.created_json(customer)
            prepared.append((number, cells, None, (values, customer, keys, invalid)))
        return prepared

    def packed(self, prepared: list[tuple]) -> tuple[tuple[str, ...], list[tuple]]:
        """`prepare()`'s rows to send to another process: each customer as the tuple of
        its values in the order of the blank new customer's names (sent once with the
        batch), its History's JSON (new customers), and what else the blank has no name
        for in a dict (None when nothing). A model instance pickles slowly, and whole;
        the tuple is taken at C speed (picking out what differed from the blank cost
        5-8 us a row)."""
        names: tuple[str, ...] = ()
        rows = []
        for number, cells, problems, row in prepared:
            if row is not None:
                if not names:
                    names = tuple(name for name in self.blank.__dict__ if name != "_state")
                    take = itemgetter(*names)
                    width = len(names) + 1  # and _state
                values, customer, keys, invalid = row
                state = customer.__dict__
                created = state.get(CREATED_FIELDS)
                extra = None
                if len(state) != width + (created is not None):
                    extra = {
                        name: value
                        for name, value in state.items()
                        if name != "_state" and name not in self.blank.__dict__
                    }
                if invalid:
                    invalid = {
                        name: [str(text) for text in texts] for name, texts in invalid.items()
                    }
                row = (values, take(state), created, extra, keys, invalid)
            rows.append((number, cells, problems, row))
        return names, rows

    def unpacked(self, batch: tuple[tuple[str, ...], list[tuple]]) -> list[tuple]:
        names, rows = batch
        prepared = []
        for number, cells, problems, row in rows:
            if row is not None:
                values, state, created, extra, keys, invalid = row
                customer = self.new_customer({})
                customer.__dict__.update(zip(names, state, strict=True))
                if created is not None:
                    customer.__dict__[CREATED_FIELDS] = created
                if extra:
                    customer.__dict__.update(extra)
                row = (values, customer, keys, invalid)
            prepared.append((number, cells, problems, row))
        return prepared

    def plan(
        self, rows: list[tuple[int, list[str]]], batch: _Batch, prepared: list | None = None
    ) -> None:
        candidates = []
        wanted: dict[str, set] = {kind: set() for kind in USAGE_KEYS[""] + IDENTITY_KEYS}
        for number, cells, problems, row in self.prepare(rows) if prepared is None else prepared:
            if problems:
                self.fail(number, cells, problems)
                continue
            values, customer, keys, invalid = row
            for kind in self.key_order:
                wanted[kind].update(keys[kind])
            candidates.append((number, cells, values, customer, keys, invalid))
        index = (
            _lookup(self.workspace, wanted, lock=not self.dry_run) if any(wanted.values()) else {}
        )
        for number, cells, values, customer, keys, invalid in candidates:
            target = self.find(keys, index)
            if target is None:
                if self.create(number, cells, customer, invalid, batch):
                    batch.named.setdefault(id(customer), (customer, number))
            elif self.options.match == "skip":
                self.report.skipped += 1
                batch.named.setdefault(id(target), (target, number))
            elif target is PLANNED:
                self.report.updated += 1  # merged into a customer an earlier batch creates
            elif self.update(number, cells, target, values, batch):
                batch.named.setdefault(id(target), (target, number))

    def create(self, number, cells, customer: Customer, invalid, batch: _Batch) -> bool:
        if invalid:
            self.fail(number, cells, invalid)
            return False
        batch.created.append(customer)
        self.report.created += 1
        for key in _index(customer, self.region):
            if key[0] != "number":
                self.pending.setdefault(key, customer)
        return True

    def update(self, number, cells, target: Customer, values, batch: _Batch) -> bool:
        """Merge the row into its customer; False when the merged customer is invalid."""
        trial = self.merge(target, values)
        invalid = _validate(trial, values, also=("customer_type",))
        if invalid:
            self.fail(number, cells, invalid)
            return False
        before, after = self.snapshot(target), self.snapshot(trial)
        if not differences(before, after):
            self.report.unchanged += 1
            return True
        self.report.updated += 1
        if target.pk is None:
            # The same person earlier in the file: merged into the customer to create.
            target.__dict__.update(trial.__dict__)
            target.__dict__.pop(CREATED_FIELDS, None)  # History words it as it is now
            return True
        batch.before.setdefault(id(target), before)
        batch.after[id(target)] = after  # the customer as it is now: write() words it
        target.__dict__.update(trial.__dict__)
        batch.updated[id(target)] = target
        return True

    def offer_to_list(self, batch: _Batch) -> None:
        """The batch's customers join the job's list where its rules allow (one statement);
        the refused ones are recorded with their row and the rules' words for why."""
        rows = {customer.pk: row for customer, row in batch.named.values()}
        if not rows:
            return
        added, refused = list_add_customers(
            customer_list=self.customer_list,
            customers=Customer.objects.filter(pk__in=rows),
            actor=self.actor,
            via=CustomerList.Origin.IMPORT,
            channel=VIA,
        )
        self.report.joined_list += added
        self.report.refused_by_list += refused
        if not refused:
            return
        members = ListEntry.objects.filter(customer_list=self.customer_list, customer__in=rows)
        outside = set(rows) - set(members.values_list("customer_id", flat=True))
        for customer in Customer.objects.filter(pk__in=outside).order_by("pk"):
            reasons = list_rules.reasons_cannot_join(customer, self.customer_list)
            reasons = reasons or ["the list's rules do not take this customer"]
            self.failures.append(
                ImportFailure(
                    job=self.job,
                    kind=ImportFailure.Kind.LIST,
                    row=rows[customer.pk],
                    errors=[{"column": self.customer_list.name, "reason": r} for r in reasons],
                    reason=f"Customer {customer.number} " + "; ".join(reasons),
                )
            )

    def snapshot(self, customer: Customer) -> dict[str, tuple[str, str]]:
        """`history.services.snapshot()` of the audited fields, faster: the readable form of
        a choice or a phone is worked out once per value, not once per customer."""
        values, known, result = customer.__dict__, self.readable, {}
        for name, label, kind in _HISTORY_COLUMNS:
            value = values.get(name, _MISSING)
            if value is not _MISSING:
                if kind == "text":
                    result[name] = (label, value or "")
                    continue
                if kind == "cached":
                    readable = known.get((name, value))
                    if readable is None:
                        # A phone as History reads it (Customer.history_value, which
                        # history.services asks first), without its lookups per field.
                        readable = known[name, value] = (
                            customer.history_value(name)
                            if name in Customer.PHONE_FIELDS
                            else snapshot(customer, [name])[name][1]
                        )
                    result[name] = (label, readable)
                    continue
            if kind == "model":  # no organization, category or logo: History reads ""
                raw = values.get(_ATTNAMES[name], _MISSING)
                if raw is None or (raw is not _MISSING and raw == ""):
                    result[name] = (label, "")
                    continue
            result[name] = (label, snapshot(customer, [name])[name][1])
        return result

    def write(self, batch: _Batch) -> None:
        """The batch's new customers, their stores, the updates and every History entry,
        each kind in one statement run over the batch's rows (no model instance saved
        one by one, no SQL built per row)."""
        now = timezone.now()
        changes = []
        if len(self.readable) > READABLE_VALUES:  # a million distinct phones would not fit
            self.readable.clear()
        if batch.created:
            first = _reserve_numbers(self.workspace, len(batch.created))
            for offset, customer in enumerate(batch.created):
                customer.number = first + offset
                customer.created_at = customer.updated_at = now
            _insert(Customer, batch.created)
            numbers = Customer.objects.filter(
                workspace=self.workspace, number__gte=first, number__lt=first + len(batch.created)
            ).values_list("number", "pk")
            pks = dict(numbers)
            for customer in batch.created:
                customer.pk = pks[customer.number]
                customer._state.adding, customer._state.db = False, connection.alias
            through = Customer.stores.through
            _execute_many(
                through,
                ["customer_id", "store_id"],
                [(customer.pk, store.pk) for customer in batch.created for store in self.stores],
            )
            for customer in batch.created:
                fields = customer.__dict__.pop(CREATED_FIELDS, None)
                if fields is None:
                    fields = self.created_fields(customer)
                changes.append(self.change(customer, Change.Action.CREATE, fields, now))
        if batch.updated:
            # Rows changing the same columns go in one UPDATE run over all of them.
            by_columns: dict[tuple[str, ...], list[Customer]] = {}
            for customer in batch.updated.values():
                customer.version += 1
                customer.updated_at = now
                fields = differences(batch.before[id(customer)], batch.after[id(customer)])
                columns = {"version", "updated_at"} | {change["field"] for change in fields}
                if columns & NAME_FIELDS:
                    columns.update({"name_key", "given_name_key", "company_key"})
                by_columns.setdefault(tuple(sorted(columns)), []).append(customer)
                changes.append(self.change(customer, Change.Action.UPDATE, fields, now))
            for columns, customers in by_columns.items():
                _update(Customer, customers, columns)
        _execute_many(Change, CHANGE_COLUMNS, changes)

    def created_fields(self, customer: Customer) -> list[dict]:
        """The History fields of a new customer: every value it has, and its stores."""
        fields = differences({}, self.snapshot(customer))
        if self.stores_words:
            fields.append(
                {"field": "stores", "label": "Stores", "old": "", "new": self.stores_words}
            )
        return fields

    def created_json(self, customer: Customer) -> str:
        """`json.dumps(self.created_fields(customer))`, written out directly: its every
        value is text, so the JSON is the fields' fixed beginnings and their values as
        JSON strings. The reading process does this for every new customer: 15 us a row
        with the snapshot, against 30 us for building the dicts and encoding them."""
        if self.stores_json is None:
            self.stores_json = (
                _CREATED_PREFIX["stores"] + _json_string(self.stores_words) + "}"
                if self.stores_words
                else ""
            )
        parts = [
            _CREATED_PREFIX[name] + _json_string(value) + "}"
            for name, (_, value) in self.snapshot(customer).items()
            if value
        ]
        if self.stores_json:
            parts.append(self.stores_json)
        return "[" + ", ".join(parts) + "]"

    def change(self, customer: Customer, action: str, fields, now) -> tuple:
        """A History entry's row, in CHANGE_COLUMNS' order. `fields` as a list, or as
        its JSON text already (the database takes that text as it is)."""
        if self.change_prefix is None:
            self.change_prefix = (
                self.workspace.pk,
                _customer_type().pk,
                self.actor.pk if getattr(self.actor, "pk", None) else None,
                VIA,
                self.reason,
                connection.ops.adapt_datetimefield_value(now),
            )
        if isinstance(fields, str):
            fields_value = fields
        else:
            fields_value = Change._meta.get_field("fields").get_db_prep_save(fields, connection)
        return (*self.change_prefix, customer.pk, action, fields_value, customer.version)

    def run(self, progress: Callable[[int], None] | None) -> Report:
        try:
            self.read_all(progress)
        except ImportConflict:
            raise
        except Exception as error:
            if self.job:
                self.stopped(str(error) or error.__class__.__name__)
            raise
        if self.job:
            self.finish()
        return self.report

    def chunks(self) -> Iterator[list[tuple[int, list[str]]]]:
        """The file's rows not yet imported, a batch at a time."""
        rows = self.table.rows()
        if self.job:
            # Rows of committed batches are only read past: not validated, not matched.
            rows = islice(rows, self.job.next_row - 1, None)
        while True:
            # Yielded from a list that keeps nothing: a local would hold the batch in this
            # generator's frame while it is prepared, sent and collected after.
            chunk = [list(islice(rows, self.batch_size))]
            if not chunk[0]:
                return
            yield chunk.pop()

    def read_all(self, progress: Callable[[int], None] | None) -> None:
        if not self.dry_run and PIPELINE and _Pipeline.available():
            # The settings after the fork: the pipeline closes the connection before it.
            with (
                _Pipeline(self) as pipeline,
                _import_settings(connection),
                _collected_per_batch() as collect,
            ):
                for prepared in pipeline:
                    self.write_batch([(number, cells) for number, cells, *_ in prepared], prepared)
                    del prepared  # before collecting: the batch's objects are garbage now
                    collect()
                    if progress:
                        progress(self.report.rows)
            return
        with _import_settings(connection):
            self.read_chunks(progress)

    def read_chunks(self, progress: Callable[[int], None] | None) -> None:
        for chunk in self.chunks():
            if self.dry_run:
                self.plan(chunk, _Batch())
                self.report.rows += len(chunk)
                self.planned.update(self.pending)
                self.pending.clear()
            else:
                self.write_batch(chunk)
            if progress:
                progress(self.report.rows)

    def write_batch(self, chunk: list[tuple[int, list[str]]], prepared: list | None = None) -> None:
        """One transaction: the batch's customers, History and refused rows, and the job's
        counts and checkpoint. On an error all of it rolls back, the counts too."""
        counts = self.report.counts()
        try:
            with transaction.atomic():
                self.claim(len(chunk))
                batch = _Batch()
                self.plan(chunk, batch, prepared)
                # SQLite: the new customers enter the email index in one statement, not
                # through its trigger (101 -> 31 us of CPU a row; customers.search_index).
                with search_index.deferred(connection):
                    self.write(batch)
                if self.customer_list is not None:
                    self.offer_to_list(batch)
                ImportFailure.objects.bulk_create(self.failures)
                self.report.rows += len(chunk)
                ImportJob.objects.filter(pk=self.job.pk).update(**self.report.counts())
        except BaseException:
            for name, value in counts.items():
                setattr(self.report, name, value)
            raise
        finally:
            self.failures.clear()
            self.pending.clear()
        self.next_row += len(chunk)

    def claim(self, rows: int) -> None:
        """Move the job's checkpoint past this batch, if no other run of the job moved it
        first. The update locks the job's row until the batch commits, so two runs of
        one job take turns and the second finds out rather than import the rows again."""
        moved = ImportJob.objects.filter(pk=self.job.pk, next_row=self.next_row).update(
            next_row=self.next_row + rows
        )
        if not moved:
            raise ImportConflict(f"Import {self.job.pk} is being run by another process.")

    def stopped(self, message: str) -> None:
        """The job failed: said in its own transaction, the committed batches kept."""
        ImportJob.objects.filter(pk=self.job.pk).update(
            status=ImportJob.Status.FAILED, message=message[:500]
        )
        self.job.refresh_from_db()

    def finish(self) -> None:
        job = self.job
        job.refresh_from_db()
        # The refused rows stay in ImportFailure, which the failed-rows download streams:
        # the report and the job keep only the first problems to show, so a file with
        # many bad rows costs no memory for them.
        failures = job.failures.filter(kind=ImportFailure.Kind.ROW).order_by("row")
        self.report.errors, self.report.failed_rows = [], []
        for failure in failures[:ERRORS_KEPT]:
            self.report.errors += [RowError(failure.row, **error) for error in failure.errors]
        del self.report.errors[ERRORS_KEPT:]
        refusals = job.failures.filter(kind=ImportFailure.Kind.LIST).order_by("row")
        self.report.list_refusals = [
            RowError(
                failure.row, self.customer_list.name if self.customer_list else "", failure.reason
            )
            for failure in refusals.iterator()
        ]
        # Before the job is done: a stop here leaves it to resume, and the grant goes on.
        from patron.portal.services import portal_access_for_import

        portal_access_for_import(job=job, actor=self.actor)
        job.status = ImportJob.Status.DONE
        job.message = ""
        job.errors = [asdict(error) for error in self.report.errors]
        job.finished_at = timezone.now()
        # The stored copy of the file served to run and resume the import; once it is done
        # the report and the failed rows (in the database) are all that is kept of it.
        if job.file:
            job.file.delete(save=False)
        job.save(update_fields=["status", "message", "errors", "finished_at", "file"])
        # Each batch added its emails to SQLite's search index as a segment of their own,
        # and an email fragment's lookup reads every segment: merged once, it reads one
        # (search_index.optimize; 2 s at a million customers).
        search_index.optimize(connection)


# A run reads, validates and normalizes the next batch in a second process while this one
# matches and writes the batch in hand (tests turn it off to compare).
PIPELINE = True
_STOP = "stop"
# A new customer's History fields as JSON, worded by the process that prepared its row.
CREATED_FIELDS = "_import_created_fields"


class _Pipeline:
    """A forked process that reads the file and prepares each batch (`_Importer.prepare`:
    no database, no report), sending the batches in order through a pipe. The importer
    here matches, writes and commits them as before, one transaction each, so the
    checkpoint and the resume are unchanged: a batch prepared but not committed when the
    import stops is prepared again by the next run.

    The pipe is the only link: a send waits while this process has not read the batches
    before (the child is a batch or two ahead at most, so memory stays flat), and when
    this process dies (kill -9) the child's next send fails and it ends. The database
    connections are closed before the fork unless a transaction is open (a caller's or a
    test's); the child never uses them and ends with os._exit (multiprocessing's), so it
    neither queries nor closes them."""

    def __init__(self, importer: "_Importer"):
        self.importer = importer

    @staticmethod
    def available() -> bool:
        """Only where forking is safe: a process with no other thread (the `patron`
        command, a task worker), as a lock another thread holds would stay held in the
        child. An import run in a threaded web server's request reads in one process."""
        return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1

    def __enter__(self) -> "_Pipeline":
        context = multiprocessing.get_context("fork")
        self.reader, writer = context.Pipe(duplex=False)
        if not connection.in_atomic_block:
            connections.close_all()
        self.process = context.Process(
            target=self.work, args=(writer,), daemon=True, name="patron-import-reader"
        )
        self.process.start()
        writer.close()  # the child's alone: its end closes when the child ends
        return self

    def __exit__(self, *exc) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.process.close()
        self.reader.close()

    def work(self, writer) -> None:
        """In the child: prepare every batch and send it; then _STOP, or the error."""
        self.reader.close()
        # What the child inherits (Django, the libraries: most of its heap) is left out of
        # the collector's passes; it ends with the import, so nothing stays frozen.
        gc.freeze()
        try:
            try:
                # The current time zone made the active one: the same zone, but each row's
                # clean() finds it at once (localdate() took 3.6 us a row looking for it).
                with (
                    _collected_per_batch() as collect,
                    timezone.override(timezone.get_current_timezone()),
                ):
                    for chunk in self.importer.chunks():
                        prepared = self.importer.prepare(chunk, describe=True)
                        writer.send(self.importer.packed(prepared))
                        del chunk, prepared  # before collecting: garbage now
                        collect()
                writer.send(_STOP)
            except (BrokenPipeError, ConnectionResetError):
                return  # the import's process is gone: nothing waits for this
            except BaseException as error:  # raised by the parent, as in one process
                try:
                    pickle.dumps(error)
                except Exception:
                    error = RuntimeError(f"{error.__class__.__name__}: {error}")
                writer.send(error)
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            writer.close()

    def __iter__(self) -> "_Pipeline":
        return self

    def __next__(self) -> list[tuple]:
        """The next batch, prepared. A method, not a generator: a generator's frame kept
        the batch it received alive while the importer wrote it, so the batch's objects
        (20,000) were still there for the collection between batches to walk (3-10 ms
        of CPU a batch), and lived on into its oldest generation."""
        try:
            item = self.reader.recv()
        except EOFError:
            self.process.join(5)
            raise RuntimeError(
                "The import's reading process stopped (exit code "
                f"{self.process.exitcode}): resume the import."
            ) from None
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, str) and item == _STOP:
            raise StopIteration
        return self.importer.unpacked(item)


# Python's full garbage collection once in this many batches (see _collected_per_batch).
FULL_COLLECTION_BATCHES = 50


@contextmanager
def _collected_per_batch() -> Iterator[Callable[[], None]]:
    """The garbage collector run by the import between batches (the block's `collect()`)
    rather than on its own. On its own it ran every 700 new objects, and a batch's
    customers outlive many such runs, so they reached the oldest generation, whose full
    passes (every few batches) walked the whole heap: 17-24% of each process's CPU
    a row. Between batches the batch's objects are gone, so a pass over the
    young generations finds little to walk; cycles (an exception's traceback) are freed
    there too, and a full pass every FULL_COLLECTION_BATCHES catches any that lived
    longer. Only where the process has no other thread (the pipeline's processes), since
    the setting is the process's; put back as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    batches = 0

    def collect() -> None:
        nonlocal batches
        batches += 1
        gc.collect(1 if batches % FULL_COLLECTION_BATCHES else 2)

    try:
        yield collect
    finally:
        if enabled:
            gc.enable()


# SQLite settings of the import's connection while it runs (restored after): a page cache
# that holds the customer table's indexes at a million customers (SQLite's default is
# 2 MB: each batch read its index pages again from the file).
SQLITE_SETTINGS = {"cache_size": -64 * 1024}


@contextmanager
def _import_settings(connection) -> Iterator[None]:
    """The connection with SQLITE_SETTINGS (PRAGMAs) for the block, then as it was."""
    if connection.vendor != "sqlite" or not SQLITE_SETTINGS:
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in SQLITE_SETTINGS.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        if connection.connection is not None:  # not closed meanwhile
            with connection.cursor() as cursor:
                for name, value in before.items():
                    cursor.execute(f"PRAGMA {name} = {int(value)}")


PLANNED = Customer()  # stands for a customer a preview's earlier batch would create
_MISSING = object()
CHANGE_COLUMNS = [
    "workspace_id", "content_type_id", "actor_id", "via", "reason", "created_at",
    "object_id", "action", "fields", "version",
]  # fmt: skip


def _history_columns() -> list[tuple[str, str, str]]:
    """(name, label, how to read it) of each audited field: "text" as it is, "cached"
    once per value (choices, phones, dates, yes/no), "model" by History's own rule."""
    columns = []
    for name in HISTORY_FIELDS:
        field = Customer._meta.get_field(name)
        label = str(field.verbose_name).capitalize()
        plain_text = isinstance(field, models.CharField) and not field.choices
        if name in Customer.PHONE_FIELDS or field.choices:
            kind = "cached"
        elif plain_text:
            kind = "text"
        elif isinstance(field, models.BooleanField | models.DateField) and not field.is_relation:
            kind = "cached"
        else:
            kind = "model"  # relations, the logo: History reads them itself
        columns.append((field.attname if kind != "model" else name, label, kind))
    return columns


_HISTORY_COLUMNS = _history_columns()
# A new customer's History field as json.dumps writes it, up to its new value.
_CREATED_PREFIX = {
    name: f'{{"field": {_json_string(name)}, "label": {_json_string(label)}, "old": "", "new": '
    for name, label, _ in [*_HISTORY_COLUMNS, ("stores", "Stores", "")]
}
_ATTNAMES = {name: Customer._meta.get_field(name).attname for name in HISTORY_FIELDS}
_FIELD_ORDER = {field.name: order for order, field in enumerate(Customer._meta.concrete_fields)}
_FILE_ATTNAMES = [
    field.attname for field in Customer._meta.concrete_fields if isinstance(field, models.FileField)
]


def _accepts(field: models.Field) -> Callable[[Any], bool] | None:
    """For a text field whose only check is its length (and its choices), a test of a
    value that `field.clean()` would return unchanged, without running its validators one
    by one; None for other fields. A value the test does not pass goes to `field.clean()`
    for its verdict and message."""
    limit = getattr(field, "max_length", None)
    if type(field) is not models.CharField or [
        (type(check), check.limit_value) for check in field.validators
    ] != [(validators.MaxLengthValidator, limit)]:
        return None
    if field.choices:
        offered = frozenset(value for value, _ in field.flatchoices if len(value) <= limit)
        return lambda value: type(value) is str and value in offered
    return lambda value: type(value) is str and 0 < len(value) <= limit


_CHECKS = {
    field.name: (field, _accepts(field))
    for field in Customer._meta.concrete_fields
    if field.name not in CLEAN_EXCLUDE
}


def _validate(customer: Customer, values: dict[str, Any], also: tuple[str, ...] = ()) -> dict:
    """`customer.full_clean()`'s errors ({field: [messages]}), checking only the fields the
    row sets: the others keep values the form or an earlier import validated. Then the
    customer's own clean(), which normalizes emails and phones and checks the rules that
    span fields, exactly as the form's path does."""
    errors: dict[str, list[str]] = {}
    names = {*values, *also} - set(CLEAN_EXCLUDE)
    for name in sorted(names, key=_FIELD_ORDER.__getitem__):
        field, accepts = _CHECKS[name]
        raw = customer.__dict__[field.attname]
        if accepts is not None and accepts(raw):
            continue
        if isinstance(field, models.TextField) and isinstance(raw, str):
            raw = normalize_newlines(raw)
        if field.blank and raw in field.empty_values:
            continue
        try:
            setattr(customer, field.attname, field.clean(raw, customer))
        except ValidationError as error:
            errors[name] = error.messages
    try:
        customer.clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    finally:
        # clean() read the logo: its descriptor left a FieldFile in the customer that
        # refers back to it, a cycle only the garbage collector frees, so every row's
        # customer was garbage for it to find (9 us a row in the reading process). The
        # file's name is what the customer held before; the descriptor makes it again.
        state = customer.__dict__
        for attname in _FILE_ATTNAMES:
            value = state.get(attname)
            if isinstance(value, FieldFile) and value._committed:
                state[attname] = value.name
    return errors


def _reader(fields: list[models.Field]) -> Callable[[models.Model], tuple]:
    """How to read the fields' values for the database from an instance, as one tuple:
    text, numbers, yes/no and keys as they are; dates and files as Django converts them
    (an empty date stays None, as Django would make it). The caller sets the timestamps
    (auto_now is not applied here)."""
    as_is = (models.CharField, models.IntegerField, models.BooleanField)
    plain = itemgetter(*(field.attname for field in fields))
    converted = [
        (position, field.attname, field.get_db_prep_save, field.get_db_prep_save(None, connection))
        for position, field in enumerate(fields)
        if not field.is_relation
        and not (isinstance(field, as_is) and not isinstance(field, models.FileField))
    ]
    single = len(fields) == 1  # itemgetter of one name gives the value, not a tuple
    # Each value converted once: a batch's timestamps are one value, birthdays repeat.
    done: dict[tuple, Any] = {}

    def read(instance: models.Model) -> tuple:
        values = instance.__dict__
        row = (plain(values),) if single else plain(values)
        if not converted:
            return row
        row = list(row)
        for position, attname, prepare, empty in converted:
            value = values[attname]
            if value is None:
                row[position] = empty
                continue
            key = (position, type(value), value, getattr(value, "tzinfo", None))
            prepared = done.get(key, _MISSING)
            if prepared is _MISSING:
                if len(done) > READABLE_VALUES:
                    done.clear()
                prepared = done[key] = prepare(value, connection)
            row[position] = prepared
        return tuple(row)

    return read


def _execute_many(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(column).column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY takes the rows as one stream: no statement round per row.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _insert(model, instances: list) -> None:
    """INSERT the instances' rows in one statement run over them all (the primary key
    left to the database): what bulk_create does, without building SQL per row."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    read = _reader(fields)
    _execute_many(model, [field.name for field in fields], [read(row) for row in instances])


def _update(model, instances: list, names: tuple[str, ...]) -> None:
    """UPDATE the named columns of each instance: on PostgreSQL one statement for them
    all, its values as one array per column (the server plans it once, where a
    statement per row cost 190 us of its CPU a row); on SQLite one statement run over
    them all."""
    fields = [model._meta.get_field(name) for name in names]
    read = _reader(fields)
    quote = connection.ops.quote_name
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    rows = [(*read(instance), instance.pk) for instance in instances]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [field.db_type(connection) for field in fields]
            types.append(model._meta.pk.rel_db_type(connection))
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            aliases = ", ".join(f"v{position}" for position in range(len(types)))
            assignments = ", ".join(
                f"{quote(field.column)} = rows.v{position}" for position, field in enumerate(fields)
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS rows({aliases}) "
                f"WHERE {table}.{key} = rows.v{len(fields)}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = %s", rows)


NAME_FIELDS = {"kind", "first_name", "middle_name", "last_name", "company_name"}


def _customer_type():
    return ContentType.objects.get_for_model(Customer)


def _reserve_numbers(workspace, count: int) -> int:
    """The first of `count` consecutive customer numbers, taken at once."""
    Sequence.objects.get_or_create(workspace=workspace, name="customer")
    sequence = Sequence.objects.select_for_update().get(workspace=workspace, name="customer")
    first = sequence.last_value + 1
    sequence.last_value += count
    sequence.save(update_fields=["last_value"])
    return first


def import_preview(
    *,
    workspace,
    table: Table,
    mapping: dict[int | str, str] | None = None,
    options: Options = Options(),
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """What `import_run` would do with the file: counts and every refused row. Writes
    nothing. `mapping` overrides the automatic one ({column or header: field})."""
    importer = _Importer(
        workspace=workspace,
        actor=None,
        table=table,
        mapping=mapping,
        options=options,
        dry_run=True,
        batch_size=batch_size,
    )
    return importer.run(progress)


def job_table(job: ImportJob) -> Table:
    """The job's stored file, read as the job recorded (encoding, delimiter)."""
    if not job.file:
        raise ValueError(f"Import {job.pk} kept no file to read.")
    return open_table(
        job.file.path,
        name=job.file_name,
        encoding=job.reading.get("encoding", ""),
        delimiter=job.reading.get("delimiter", ""),
    )


def import_job_create(
    *,
    workspace,
    actor,
    table: Table,
    mapping: dict[int | str, str] | None = None,
    options: Options = Options(),
    batch_size: int = BATCH_SIZE,
    job: ImportJob | None = None,
    customer_list: CustomerList | None = None,
) -> ImportJob:
    """A queued ImportJob holding everything a run needs: a copy of the file, how to
    read it, the options and the whole mapping (ignored columns too), so it can run
    later, in another process, and resume after a crash. `job` fills one made
    beforehand; a job with committed rows cannot be changed. With `customer_list` (an
    "Import Customer List") the imported customers join that list where its rules allow."""
    resolved = mapping_module.resolve(table.headers, mapping)
    if not resolved:
        raise ValidationError(
            "No column of the file is mapped to a customer field. Its columns are: "
            f"{', '.join(table.headers)}.",
            code="mapping",
        )
    job = job or ImportJob(workspace=workspace)
    if job.workspace_id != workspace.pk:
        raise ValueError("The import job belongs to another workspace.")
    if job.next_row > 1:
        raise ValueError(f"Import {job.pk} has started: resume it instead.")
    if customer_list is not None:
        if customer_list.workspace_id != workspace.pk:
            raise ValueError("The list belongs to another workspace.")
        job.customer_list = customer_list
    if job.created_by_id is None and getattr(actor, "pk", None):
        job.created_by = actor
    if not (job.file and Path(job.file.path) == Path(table.path)):
        with open(table.path, "rb") as source:
            job.file.save(Path(table.name).name or "import", File(source), save=False)
    job.file_name = table.name[:255]
    # The mapping by position too: headers can repeat, and a column the user ignored must
    # not be mapped again automatically when the job runs.
    columns = {str(index): name for index, name in resolved.items()}
    job.reading = {"encoding": table.encoding, "delimiter": table.delimiter, "columns": columns}
    job.headers = list(table.headers)
    job.options = asdict(options)
    job.mapping = {table.headers[index]: name for index, name in resolved.items()}
    job.batch_size = max(1, batch_size)
    job.status = ImportJob.Status.QUEUED
    job.save()
    return job


def _recorded_mapping(job: ImportJob) -> dict[int | str, str] | None:
    """The mapping a queued job was given: by position, every column (an ignored one as
    ""), so a column the user ignored is not mapped again by its header; by header for a
    job that recorded no positions."""
    columns = job.reading.get("columns")
    if columns and job.headers:
        return {index: columns.get(str(index), "") for index in range(len(job.headers))}
    return job.mapping or None


def import_run(
    *,
    workspace,
    actor,
    table: Table | None = None,
    mapping: dict[int | str, str] | None = None,
    options: Options | None = None,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    job: ImportJob | None = None,
    customer_list: CustomerList | None = None,
) -> Report:
    """Import the file: create, update or skip each row's customer, refuse invalid rows
    (listed in the report with their reasons). Each batch of rows is one transaction; the
    file is read through once first, so one that cannot be read writes nothing.

    `job` is an ImportJob made beforehand (`import_job_create`: the wizard queues it for
    a background task); what is not given here is taken from it (its file, mapping,
    options, list). A job that committed rows already is resumed (`import_resume`).
    Without a job the run makes its own, keeping a copy of the file so it can be resumed.
    With `customer_list`, each batch's created and matched customers are offered to the
    list in the batch's transaction: its rules decide who joins (`Report.joined_list`),
    the others are reported with their row and why (`Report.list_refusals`)."""
    if job is not None and job.workspace_id != workspace.pk:
        raise ValueError("The import job belongs to another workspace.")
    if job is not None and job.next_row > 1:
        return import_resume(job, actor=actor, progress=progress)
    if table is None:
        if job is None:
            raise ValueError("Give the file to import (a table) or a job that keeps one.")
        table = job_table(job)
    if job is not None:
        mapping = _recorded_mapping(job) if mapping is None else mapping
        if options is None and job.options:
            options = Options(**job.options)
        batch_size = batch_size or job.batch_size
    try:
        table.check()
    except ValidationError as error:
        if job is not None and job.pk:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED, message=" ".join(error.messages)[:500]
            )
        raise
    job = import_job_create(
        workspace=workspace,
        actor=actor,
        table=table,
        mapping=mapping,
        options=options or Options(),
        batch_size=batch_size or BATCH_SIZE,
        job=job,
        customer_list=customer_list,
    )
    return _start(job, table, actor, progress)


def import_resume(
    job: ImportJob, actor=None, progress: Callable[[int], None] | None = None
) -> Report:
    """Go on with a job that stopped (failed, or its process killed) from its last
    committed batch, reading its stored file as before with the same mapping, options
    and batch size: the end state is the one an uninterrupted run would have reached.
    The report counts the whole job. `actor` defaults to whoever started it."""
    if job.status == ImportJob.Status.DONE:
        raise ValueError(f"Import {job.pk} is finished: there is nothing to resume.")
    if not job.file:
        raise ValueError(f"Import {job.pk} kept no file to resume from.")
    return _start(job, job_table(job), actor, progress)


def _start(job: ImportJob, table: Table, actor, progress) -> Report:
    actor = actor if getattr(actor, "pk", None) else job.created_by
    columns = job.reading.get("columns")
    importer = _Importer(
        workspace=job.workspace,
        actor=actor,
        table=table,
        mapping=job.mapping,
        columns={int(index): name for index, name in columns.items()} if columns else None,
        options=Options(**job.options),
        dry_run=False,
        job=job,
        batch_size=job.batch_size,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, message="")
    job.status, job.message = ImportJob.Status.RUNNING, ""
    return importer.run(progress)
