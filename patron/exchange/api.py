"""The export and import API.

Export: GET /api/v1/customers/export/?format=csv|xlsx|vcf&<the list's filters>, an action
of the customers viewset (patron/api/views.py), since "customers/export/" sits among the
customers' own routes; this module holds what it needs.

Import: /api/v1/imports/ (POST a file to check it or queue its import; GET progress and
report; the failed rows as CSV), /api/v1/imports/{id}/check/ and .../start/ (a file checked
whole in the background, then imported) and /api/v1/import-mappings/ (saved column
mappings).
"""

import json
import tempfile
from dataclasses import asdict
from pathlib import Path

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from patron.api.errors import ErrorSerializer, error_body
from patron.api.serializers import StrictModelSerializer, StrictPrimaryKeyRelatedField
from patron.customers.models import Customer
from patron.exchange import checking, export, importing, jobs, likely
from patron.exchange.forms import (
    DELIMITER_CHOICES,
    ENCODING_CHOICES,
    MATCH_CHOICES,
    USAGE_CHOICES,
    USAGE_MATCHING,
)
from patron.exchange.mapping import FIELDS
from patron.exchange.models import ImportCheck, ImportJob, ImportMapping
from patron.exchange.reading import open_table
from patron.lists.models import CustomerList


class ExportFormatSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=export.FORMATS, help_text="csv, xlsx (Excel) or vcf (vCard 3.0)."
    )


class JsonErrorsOnly(BaseContentNegotiation):
    """The file is the answer whatever Accept says; a refusal is the API's usual JSON.

    This also keeps DRF from reading ?format= as the name of one of its renderers.
    """

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=True,
    enum=list(export.FORMATS),
    description="csv (UTF-8 with BOM), xlsx (Excel) or vcf (vCard 3.0).",
)
EXPORT_RESPONSES = {
    (200, export.CONTENT_TYPES["csv"].split(";")[0]): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="The customers; cells a spreadsheet would run as a "
        "formula (starting with = + - @ tab or CR) start with a quote.",
    ),
    (200, export.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
    (200, export.CONTENT_TYPES["vcf"].split(";")[0]): OpenApiTypes.BINARY,
    (400, "application/json"): OpenApiResponse(
        ErrorSerializer, description="No or an unknown format, or a filter not valid."
    ),
}
FAILED_ROWS_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="UTF-8 with BOM: the file's columns as they were, plus Reason.",
    ),
    (404, "application/json"): OpenApiResponse(
        ErrorSerializer, description="No such import, or it refused no row."
    ),
}


# --- Imports: /api/v1/imports/ and /api/v1/import-mappings/ -------------------------------

UPLOAD_REFUSED = OpenApiResponse(
    ErrorSerializer,
    description="A file that cannot be read or imported, a mapping naming no column or a "
    "wrong one, or an option not valid: each error names its field (file, mapping...).",
)

MAX_LISTED_ERRORS = 1000
# A dry run answers in its own request, so it checks at most this many rows (about 3 s on
# a busy 2-core machine; 20,000 took 11 s); `complete` says whether that was the whole
# file. The import itself, a background task, checks every row.
API_PREVIEW_ROWS = 5000


class ImportCountsSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows read.")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Matched, and the file said nothing new.")
    skipped = serializers.IntegerField(help_text="Matched, and the match action is skip.")
    failed = serializers.IntegerField(help_text="Bad rows, not imported.")


class ImportJobCountsSerializer(ImportCountsSerializer):
    joined_list = serializers.IntegerField(help_text="Imported customers who joined the list.")
    refused_by_list = serializers.IntegerField(
        help_text="Imported customers the list's rules refused."
    )


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row in the file (the header is row 1).")
    column = serializers.CharField(help_text='The column\'s header; "" for the whole row.')
    reason = serializers.CharField()


class ImportLikelyDuplicateSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row in the file (the header is row 1).")
    name = serializers.CharField(help_text="The name the row would create.")
    customer = serializers.IntegerField(help_text="The existing customer's id.")
    customer_number = serializers.IntegerField(help_text="Its customer no.")
    customer_name = serializers.CharField()
    score = serializers.FloatField(help_text="0 to 1: how likely the two are one customer.")
    reasons = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField(
        help_text='In words: "Row 14 (Jon Smiht) looks like #1234 John Smith: ...".'
    )


class ImportProgressSerializer(serializers.Serializer):
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField(
        allow_null=True, help_text="The file's rows, counted cheaply (lines of a CSV)."
    )
    percent = serializers.IntegerField(min_value=0, max_value=100)


class ImportJobSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    failed_rows_url = serializers.SerializerMethodField(
        help_text="The failed rows as CSV (original columns + Reason); null if none."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "file_name",
            "status",
            "message",
            "created_by",
            "created_at",
            "finished_at",
            "customer_list",
            "options",
            "mapping",
            "counts",
            "progress",
            "failed_rows_url",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportJobCountsSerializer)
    def get_counts(self, job) -> dict:
        return {name: getattr(job, name) for name in ImportJobCountsSerializer().fields}

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, job) -> dict:
        running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
        total = jobs.estimated_rows(job) if running else job.rows
        total = max(total, job.rows) if total is not None else None
        percent = 100 if not running else (job.rows * 100 // total if total else 0)
        return {"rows_done": job.rows, "rows_total": total, "percent": min(percent, 100)}

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_failed_rows_url(self, job) -> str | None:
        if not job.failed:
            return None
        path = reverse("api:importjob-failed-rows", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ImportJobDetailSerializer(ImportJobSerializer):
    errors = serializers.SerializerMethodField(
        help_text=f"The bad rows' problems (the first {MAX_LISTED_ERRORS}; the failed rows "
        "CSV has every row)."
    )

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "errors"]
        read_only_fields = fields

    @extend_schema_field(ImportRowErrorSerializer(many=True))
    def get_errors(self, job) -> list[dict]:
        return [
            {"row": error.get("row"), "column": error.get("column", ""), "reason": error["reason"]}
            for error in (job.errors or [])[:MAX_LISTED_ERRORS]
        ]


class ImportFileReadingSerializer(serializers.Serializer):
    format = serializers.CharField(help_text="csv, xlsx or vcf.")
    encoding = serializers.CharField(help_text="As detected or given (CSV and vCard).")
    delimiter = serializers.CharField(help_text="As detected or given (CSV).")
    headers = serializers.ListField(child=serializers.CharField())


class ImportPreviewSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text="Always true: nothing was written.")
    file = ImportFileReadingSerializer()
    mapping = serializers.DictField(
        child=serializers.CharField(), help_text="Each mapped column's header and its field."
    )
    counts = ImportJobCountsSerializer(help_text="What importing the rows checked would do.")
    checked_rows = serializers.IntegerField()
    complete = serializers.BooleanField(
        help_text=f"false when the file has more than {API_PREVIEW_ROWS:,} rows: only the "
        "first were checked."
    )
    errors = ImportRowErrorSerializer(
        many=True, help_text=f"The first {MAX_LISTED_ERRORS} problems."
    )
    likely_duplicates = ImportLikelyDuplicateSerializer(
        many=True,
        help_text="Warnings, not errors (the import creates them all the same): rows that "
        "would create a customer who looks like an existing one, with the likeliest, among "
        f"the first {likely.CHECKED_ROWS:,} rows to create: every one found.",
    )


class ImportCheckCountsSerializer(ImportCountsSerializer):
    rows = serializers.IntegerField(help_text="Rows checked so far.")
    likely_duplicates = serializers.IntegerField(
        help_text="Rows to create that look like existing customers (all of them)."
    )


class ImportCheckSerializer(serializers.ModelSerializer):
    """A check of every row of a kept file: the import's dry run in the background."""

    import_id = serializers.IntegerField(
        source="job_id", help_text="The draft import's id, which its URLs name."
    )
    url = serializers.SerializerMethodField(help_text="GET: this check, as it moves on.")
    start_url = serializers.SerializerMethodField(
        help_text="POST: import the file with this check's mapping and options."
    )
    file_name = serializers.CharField(source="job.file_name")
    status = serializers.SerializerMethodField(
        help_text="queued, running, done, or failed (message says why; a check whose worker "
        "stopped is failed too): POST the check's url to run it again."
    )
    message = serializers.SerializerMethodField(help_text="Why a failed check stopped.")
    mapping = serializers.SerializerMethodField(
        help_text="Each mapped column's header and its field."
    )
    customer_list = serializers.IntegerField(
        source="job.customer_list_id",
        allow_null=True,
        help_text="The list the import's customers are to join, where its rules allow.",
    )
    counts = serializers.SerializerMethodField(
        help_text="What importing every row would do: so far while it runs, the whole file's "
        "once done."
    )
    progress = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField(
        help_text=f"The first {checking.PROBLEMS_KEPT:,} problems of the bad rows (counts."
        "failed counts every bad row; the import's failed-rows CSV will hold them all). "
        "Filled in once done."
    )
    likely_duplicates = serializers.SerializerMethodField(
        help_text="Warnings, not errors (the import creates them all the same): rows that "
        "would create a customer who looks like an existing one, with the likeliest, among "
        f"every row to create; the first {likely.KEPT:,} (counts.likely_duplicates counts "
        "all). Filled in once done."
    )

    class Meta:
        model = ImportCheck
        fields = [
            "import_id",
            "url",
            "start_url",
            "file_name",
            "status",
            "message",
            "options",
            "mapping",
            "customer_list",
            "counts",
            "progress",
            "errors",
            "likely_duplicates",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def _absolute(self, name: str, check) -> str:
        path = reverse(name, args=[check.job_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(serializers.URLField())
    def get_url(self, check) -> str:
        return self._absolute("api:importjob-check", check)

    @extend_schema_field(serializers.URLField())
    def get_start_url(self, check) -> str:
        return self._absolute("api:importjob-start", check)

    @extend_schema_field(serializers.ChoiceField(choices=ImportCheck.Status.choices))
    def get_status(self, check) -> str:
        return ImportCheck.Status.FAILED if checking.stalled(check) else check.status

    def get_message(self, check) -> str:
        if checking.stalled(check):
            return (
                f"The check stopped after {check.rows:,} rows: it has not moved on since "
                f"{check.progressed_at:%Y-%m-%d %H:%M} UTC (was its worker stopped?)."
            )
        return check.message

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_mapping(self, check) -> dict[str, str]:
        headers = checking.check_headers(check)
        return {
            headers[index]: name
            for index, name in enumerate(check.fields)
            if name and index < len(headers)
        }

    @extend_schema_field(ImportCheckCountsSerializer)
    def get_counts(self, check) -> dict:
        return {name: getattr(check, name) for name in ImportCheckCountsSerializer().fields}

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, check) -> dict:
        under_way = checking.under_way(check)
        total = max(jobs.estimated_rows(check.job) or 0, check.rows) if under_way else check.rows
        percent = 100 if not under_way else (check.rows * 100 // total if total else 0)
        return {"rows_done": check.rows, "rows_total": total, "percent": min(percent, 100)}

    @extend_schema_field(ImportRowErrorSerializer(many=True))
    def get_errors(self, check) -> list[dict]:
        return [
            {"row": error.get("row"), "column": error.get("column", ""), "reason": error["reason"]}
            for error in check.problems
        ]

    @extend_schema_field(ImportLikelyDuplicateSerializer(many=True))
    def get_likely_duplicates(self, check) -> list[dict]:
        return [_duplicate_data(found) for found in checking.kept_duplicates(check)]


class MappingJsonField(serializers.CharField):
    """A JSON object {"column header or position": "field"} sent as a text part."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            value = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not JSON: {error.msg}.") from error
        if not isinstance(value, dict) or not all(
            isinstance(field, str) for field in value.values()
        ):
            raise ValidationError('Give the mapping as {"column header": "field"}.')
        return value


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # refused with the reason by the reading
        help_text="A CSV (any common delimiter; UTF-8 or Windows-1252), an Excel workbook "
        "(.xlsx) or a vCard file (.vcf); the first row holds the column names. At most "
        f"{jobs.MAX_UPLOAD_BYTES // 1_048_576} MB.",
    )
    customer_type = serializers.ChoiceField(
        choices=Customer.Type.choices,
        default=Customer.Type.PROSPECT,
        help_text="The type of new customers (a column of types in the file wins).",
    )
    overwrite_type = serializers.BooleanField(
        default=False, help_text="Matched customers take customer_type."
    )
    overwrite_status = serializers.BooleanField(
        default=False, help_text="Matched customers take the file's status."
    )
    usage = serializers.ChoiceField(
        choices=USAGE_CHOICES,
        default="",
        allow_blank=True,
        help_text=" ".join(USAGE_MATCHING.values()),
    )
    match = serializers.ChoiceField(
        choices=MATCH_CHOICES,
        default="update",
        help_text="What to do with a customer a row matches: update, skip, or fill only "
        "its empty fields.",
    )
    mapping = MappingJsonField(
        required=False,
        allow_blank=True,
        help_text='JSON: {"column header": "field"} ("" ignores the column); '
        "columns not named keep their automatic field (well-known headers map themselves).",
    )
    encoding = serializers.ChoiceField(
        choices=ENCODING_CHOICES, default="", allow_blank=True, help_text="Detected if empty."
    )
    delimiter = serializers.ChoiceField(
        choices=DELIMITER_CHOICES, default="", allow_blank=True, help_text="Detected if empty."
    )
    customer_list = StrictPrimaryKeyRelatedField(
        queryset=CustomerList.objects.none(),
        required=False,
        allow_null=True,
        help_text="A customer list of the workspace the imported customers join, where its "
        "rules allow.",
    )
    dry_run = serializers.BooleanField(
        default=False,
        help_text=f"Only check and count, in this request: the first {API_PREVIEW_ROWS:,} "
        "rows (complete says whether that was all); nothing is written or kept.",
    )

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer_list"].queryset = CustomerList.objects.in_workspace(workspace)
        return fields

    def options(self) -> importing.Options:
        data = self.validated_data
        return importing.Options(
            customer_type=data["customer_type"],
            overwrite_type=data["overwrite_type"],
            overwrite_status=data["overwrite_status"],
            usage=data["usage"],
            match=data["match"],
        )


class ImportCheckUploadSerializer(ImportUploadSerializer):
    """The same upload, checked whole in the background (there is no dry run of it)."""

    dry_run = None


def _preview_data(table, report, more: bool, duplicates: list[likely.LikelyDuplicate]) -> dict:
    return {
        "dry_run": True,
        "file": {
            "format": table.file_format,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "headers": table.headers,
        },
        "mapping": {table.headers[index]: name for index, name in report.mapping.items()},
        "counts": {
            name: report.counts().get(name, 0) for name in ImportJobCountsSerializer().fields
        },
        "checked_rows": report.rows,
        "complete": not more,
        "errors": [
            {"row": e.row, "column": e.column, "reason": e.reason}
            for e in report.errors[:MAX_LISTED_ERRORS]
        ],
        "likely_duplicates": [_duplicate_data(found) for found in duplicates],
    }


def _duplicate_data(found: likely.LikelyDuplicate) -> dict:
    return {**asdict(found), "message": str(found)}


NO_CHECKED_DRAFT = (
    "No such draft, no check (started already), or a draft of the import wizard (which "
    "starts it itself)."
)


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customer imports (manual 000 "Import Customers"), newest first: POST a file to check
    it (dry_run) or to queue its import as a background task; GET its progress and report."""

    read_capability = "customers.change"
    write_capability = "customers.change"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        jobs_here = ImportJob.objects.in_workspace(self.request.workspace)
        if self.action in ("check", "start"):
            return jobs_here  # a draft with its check
        # Drafts (files kept but not started) are not imports yet: they are listed once
        # started. The wizard's follow its pages; a checked one, its check's URL.
        return jobs_here.exclude(status=ImportJob.Status.QUEUED, options={}).order_by(
            "-created_at", "-pk"
        )

    def get_serializer_class(self):
        if self.action == "check":
            return ImportCheckSerializer
        return ImportJobSerializer if self.action == "list" else ImportJobDetailSerializer

    def get_parsers(self):
        action_name = getattr(self, "action", None)
        if action_name is None and getattr(self, "request", None) is not None:
            action_name = self.action_map.get(self.request.method.lower())
        uploads = ("create", "check_file")
        return [MultiPartParser()] if action_name in uploads else [JSONParser()]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: OpenApiResponse(
                ImportPreviewSerializer, description="dry_run: what the import would do."
            ),
            202: OpenApiResponse(
                ImportJobDetailSerializer,
                description="The import is queued; GET the job for its progress and report.",
            ),
            400: UPLOAD_REFUSED,
        },
    )
    def create(self, request):
        """Upload a file with the import's options. With dry_run, check its first rows and
        count what would be created, updated, skipped or refused (200; nothing kept).
        Otherwise the file is kept and its import queued as a background task (202). To
        check every row first, POST the file to check/ instead."""
        body = ImportUploadSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        customer_list = data.get("customer_list")
        _may_fill(request, customer_list)
        upload = data["file"]
        try:
            jobs.check_upload(upload.name, upload.size)
            if data["dry_run"]:
                return self._dry_run(request, body)
            with transaction.atomic():
                job, _ = jobs.import_job_create(
                    workspace=request.workspace,
                    actor=request.user,
                    upload=upload,
                    encoding=data["encoding"],
                    delimiter=data["delimiter"],
                    via=ImportJob.Via.API,
                )
                job = jobs.import_job_start(
                    job=job,
                    options=body.options(),
                    mapping=data.get("mapping") or None,
                    customer_list=customer_list,
                )
        except DjangoValidationError as error:
            field = "mapping" if getattr(error, "code", None) == "mapping" else "file"
            raise ValidationError({field: error.messages}) from error
        job.refresh_from_db()
        serializer = ImportJobDetailSerializer(job, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_202_ACCEPTED)

    def _dry_run(self, request, body) -> Response:
        data = body.validated_data
        upload = data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / (Path(upload.name).name or "import")
            with path.open("wb") as file:
                for chunk in upload.chunks():
                    file.write(chunk)
            table = open_table(
                path, name=upload.name, encoding=data["encoding"], delimiter=data["delimiter"]
            )
            try:
                report, found = likely.import_preview(
                    workspace=request.workspace,
                    table=jobs.capped(table, API_PREVIEW_ROWS),
                    mapping=data.get("mapping") or None,
                    options=body.options(),
                    kept=likely.CHECKED_ROWS,  # all it compares: the answer lists each
                )
            except ValueError as error:
                raise ValidationError({"mapping": [str(error)]}) from error
            more = jobs.has_more_rows(table, API_PREVIEW_ROWS)
            return Response(_preview_data(table, report, more, found.kept))

    @extend_schema(
        operation_id="v1_imports_check_file",  # v1_imports_check_create is the re-run's
        request={"multipart/form-data": ImportCheckUploadSerializer},
        responses={
            202: OpenApiResponse(
                ImportCheckSerializer,
                description="The file is kept and its check queued: GET its url for the "
                "progress, then the whole file's counts, problems and likely duplicates; "
                "POST its start_url to import it.",
            ),
            400: UPLOAD_REFUSED,
        },
    )
    @action(detail=False, methods=["post"], url_path="check", url_name="check-file")
    def check_file(self, request):
        """Upload a file with the import's options to check every row of it in the
        background, as the import will, nothing written: what it would create, update,
        skip or refuse, and which rows to create look like existing customers. Nothing is
        imported until its start_url is posted; a file never started is deleted after
        a week."""
        body = ImportCheckUploadSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        _may_fill(request, data.get("customer_list"))
        try:
            check = checking.import_check_create(
                workspace=request.workspace,
                actor=request.user,
                upload=data["file"],
                options=body.options(),
                mapping=data.get("mapping") or None,
                encoding=data["encoding"],
                delimiter=data["delimiter"],
                customer_list=data.get("customer_list"),
            )
        except DjangoValidationError as error:
            field = "mapping" if getattr(error, "code", None) == "mapping" else "file"
            raise ValidationError({field: error.messages}) from error
        return self._check_response(check, status.HTTP_202_ACCEPTED)

    def _check_response(self, check: ImportCheck, status_code: int = 200) -> Response:
        check = ImportCheck.objects.select_related("job").get(pk=check.pk)  # as it ran
        serializer = ImportCheckSerializer(check, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def _checked_draft(self) -> tuple[ImportJob, ImportCheck]:
        job = self.get_object()
        if jobs.is_draft(job) and job.via != ImportJob.Via.API:
            raise NotFound(
                "This import was made by the import wizard, which keeps its options (and a "
                "new list's details) until its last step starts it: finish it there, or POST "
                "the file to /api/v1/imports/check/."
            )
        check = job.checks.select_related("job").first() if jobs.is_draft(job) else None
        if check is None:
            raise NotFound(
                "This import has no check: it was started (GET the import), or its file "
                "was not posted to /api/v1/imports/check/."
            )
        return job, check

    @extend_schema(
        methods=["GET"],
        responses={
            200: ImportCheckSerializer,
            404: OpenApiResponse(ErrorSerializer, description=NO_CHECKED_DRAFT),
        },
    )
    @extend_schema(
        methods=["POST"],
        request=None,
        responses={
            200: OpenApiResponse(
                ImportCheckSerializer, description="The check is under way or done: as it is."
            ),
            202: OpenApiResponse(
                ImportCheckSerializer,
                description="The check failed or its worker stopped: it is queued again.",
            ),
            404: OpenApiResponse(ErrorSerializer, description=NO_CHECKED_DRAFT),
            409: OpenApiResponse(ErrorSerializer, description="Started by another request."),
        },
    )
    @action(detail=True, methods=["get", "post"], url_path="check")
    def check(self, request, pk=None):
        """The check of every row of a file posted to imports/check/: its status and progress,
        then the whole file's counts, the first problems and the first likely duplicates.
        POST runs it again if it failed or its worker stopped."""
        job, check = self._checked_draft()
        if request.method == "GET":
            return self._check_response(check)
        try:
            again = checking.import_check_start(
                job=job, fields=check.fields, options=importing.Options(**check.options)
            )
        except DjangoValidationError as error:  # started by another request meanwhile
            body = error_body(409, "started", " ".join(error.messages))
            return Response(body, status=status.HTTP_409_CONFLICT)
        queued = again.pk != check.pk
        return self._check_response(again, status.HTTP_202_ACCEPTED if queued else 200)

    @extend_schema(
        request=None,
        responses={
            202: OpenApiResponse(
                ImportJobDetailSerializer,
                description="The import is queued with the check's mapping, options and "
                "list; GET it for its progress and report (the check is gone).",
            ),
            404: OpenApiResponse(ErrorSerializer, description=NO_CHECKED_DRAFT),
            409: OpenApiResponse(ErrorSerializer, description="Started by another request."),
        },
    )
    @action(detail=True, methods=["post"], url_path="start")
    def start(self, request, pk=None):
        """Import a checked file with its check's mapping and options, whether the check
        is done or not (what it finds are warnings; bad rows are refused and reported)."""
        job, _ = self._checked_draft()
        _may_fill(request, job.customer_list)
        try:
            job = checking.import_start_checked(job=job)
        except DjangoValidationError as error:
            if getattr(error, "code", None) == "started":  # by another request meanwhile
                body = error_body(409, "started", " ".join(error.messages))
                return Response(body, status=status.HTTP_409_CONFLICT)
            raise ValidationError({"file": error.messages}) from error
        job.refresh_from_db()
        serializer = ImportJobDetailSerializer(job, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=FAILED_ROWS_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path="failed-rows",
        content_negotiation_class=JsonErrorsOnly,
    )
    def failed_rows(self, request, pk=None):
        """The refused rows as they were in the file, plus a Reason column: fix them and
        import the file again. 404 if the import refused no row."""
        job = self.get_object()
        if not job.failed:
            raise NotFound("This import refused no row.")
        response = StreamingHttpResponse(
            job.failed_rows_csv_chunks(), content_type="text/csv; charset=utf-8"
        )
        stem = slugify(Path(job.file_name).stem) or "import"
        response["Content-Disposition"] = f'attachment; filename="{stem}-failed-rows.csv"'
        return response


def _may_fill(request, customer_list) -> None:
    if customer_list is not None and not request.membership.can("marketing.change"):
        raise PermissionDenied("Your role may not add customers to customer lists.")


class ImportMappingSerializer(StrictModelSerializer):
    mapping = serializers.DictField(
        child=serializers.ChoiceField(choices=["", *FIELDS]),
        help_text='{"column header": "field"}; "" ignores the column.',
    )

    class Meta:
        model = ImportMapping
        fields = ["id", "name", "mapping", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # mapping_create says, in words, that the name is taken


def _name_taken(workspace, name: str, exclude: int | None = None) -> None:
    others = ImportMapping.objects.in_workspace(workspace).filter(name__iexact=name.strip())
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"name": ["A saved mapping with this name already exists."]})


class ImportMappingViewSet(viewsets.ModelViewSet):
    """Column mappings saved by name, to reuse with the next file from the same source
    (the import wizard's "Use a saved mapping")."""

    serializer_class = ImportMappingSerializer
    read_capability = "customers.change"
    write_capability = "customers.change"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportMapping.objects.none()
        return ImportMapping.objects.in_workspace(self.request.workspace).order_by("name", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        _name_taken(self.request.workspace, data["name"])
        serializer.instance = jobs.mapping_create(
            workspace=self.request.workspace,
            actor=self.request.user,
            name=data["name"],
            mapping=data["mapping"],
            via="api",
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "name" in data:
            _name_taken(self.request.workspace, data["name"], exclude=serializer.instance.pk)
        serializer.instance = jobs.mapping_update(
            saved=serializer.instance, actor=self.request.user, data=data, via="api"
        )

    def perform_destroy(self, instance):
        jobs.mapping_delete(saved=instance, actor=self.request.user, via="api")


ROUTES = [
    ("imports", ImportJobViewSet, "importjob"),
    ("import-mappings", ImportMappingViewSet, "importmapping"),
]
