"""How the OpenAPI schema describes what DRF and drf-spectacular leave out."""

from drf_spectacular.openapi import AutoSchema

from patron.api.errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` names each offending field.",
    401: "No token, or an invalid or revoked one.",
    403: "Your role may not do this, or you are not a member of any workspace.",
    404: "No such object in your workspace (or no such page).",
    412: "If-Match names an older version: `errors` lists what changed since, "
    "and ETag gives the current version.",
    415: "The body is not JSON (Content-Type: application/json).",
}


class ApiSchema(AutoSchema):
    """The API's views' schema: drf-spectacular's, plus the errors and empty filters.

    Error responses, each with the `Error` body, are derived from the finished operation:
    input (body, query or header parameters) can be invalid (400); a path parameter or a
    page number can name nothing (404); a secured operation can lack a token (401) or the
    role for it (403); If-Match can be stale (412); a body can be other than JSON (415).
    Responses from @extend_schema win.
    """

    def _get_filter_parameters(self):
        # django-filter reads an empty value (?city=) as no filter at all, as the search
        # form sends it; say so, or the schema would call ?date_of_birth= invalid.
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        locations = {parameter["in"] for parameter in parameters}
        names = {parameter["name"] for parameter in parameters}
        statuses = []
        if "requestBody" in operation or locations & {"query", "header"}:
            statuses.append(400)
        if any(operation.get("security", [])):
            statuses += [401, 403]
        if "path" in locations or "page" in names:
            statuses.append(404)
        if "If-Match" in names:
            statuses.append(412)
        if "requestBody" in operation:
            statuses.append(415)
        responses = operation["responses"]
        for code in statuses:
            if str(code) not in responses:
                response = self._get_response_for_code(ErrorSerializer, str(code))
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[str(code)] = response
        operation["responses"] = dict(sorted(responses.items()))
        return operation
