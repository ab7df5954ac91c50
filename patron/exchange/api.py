"""The export API: GET /api/v1/customers/export/?format=csv|xlsx|vcf&<the list's filters>.

It is an action of the customers viewset (patron/api/views.py), since "customers/export/"
sits among the customers' own routes; this module holds what it needs. No routes of its own.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation

from patron.api.errors import ErrorSerializer
from patron.exchange import export

ROUTES: list = []


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
