"""One error format for every 4xx answer of the API.

    {"status": 400, "code": "invalid", "detail": "...",
     "errors": [{"field": "email", "code": "invalid", "message": "..."}]}

`field` is the dotted path of the offending input ("tags.0"), or null for the request.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, path: str | None = None) -> list[dict]:
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            field = None if key in ("non_field_errors", "__all__") else key
            items += _flatten(value, f"{path}.{field}" if path and field else (field or path))
        return items
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [item for entry in detail for item in _flatten(entry, path)]
        items = []
        for index, value in enumerate(detail):
            items += _flatten(value, f"{path}.{index}" if path else str(index))
        return items
    return [{"field": path, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def error_body(status_code: int, code: str, detail: str, errors: list[dict] | None = None) -> dict:
    return {"status": status_code, "code": code, "detail": detail, "errors": errors or []}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = error_body(response.status_code, "invalid", "The request has invalid input.", errors)
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        body = error_body(response.status_code, code, str(exc.detail))
    response.data = body
    return response


def conflict_response(conflict) -> Response:
    """412 for an If-Match that names an old version, with what changed since."""
    errors = [
        {
            "field": change["field"] or None,
            "code": "changed",
            "message": f"{change['label']}: "
            f"{change['old'] or '(empty)'} → {change['new'] or '(empty)'}",
        }
        for change in conflict.changes
    ]
    body = error_body(status.HTTP_412_PRECONDITION_FAILED, "edit_conflict", str(conflict), errors)
    response = Response(body, status=status.HTTP_412_PRECONDITION_FAILED)
    response["ETag"] = f'"{conflict.current_version}"'
    return response


def deleted_unless_in_use(delete: Callable[[], None]) -> Response:
    """Run a service's delete: 204 once done, or 409 "in_use" with the service's words when
    other records still use the object (a type, code or level that customers have)."""
    try:
        delete()
    except DjangoValidationError as error:
        if error.code != "in_use":
            raise
        body = error_body(status.HTTP_409_CONFLICT, "in_use", " ".join(error.messages))
        return Response(body, status=status.HTTP_409_CONFLICT)
    return Response(status=status.HTTP_204_NO_CONTENT)


def not_found_json(request, exception=None):
    return JsonResponse(error_body(404, "not_found", "Not found."), status=404)


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text='The dotted path of the offending input ("tags.0"), or null for the request.',
    )
    code = serializers.CharField(help_text='What is wrong, e.g. "required", "invalid".')
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer of the API has this body."""

    status = serializers.IntegerField(help_text="The HTTP status code again.")
    code = serializers.CharField(help_text='E.g. "invalid", "not_found", "edit_conflict".')
    detail = serializers.CharField(help_text="What went wrong, for people.")
    errors = ErrorItemSerializer(many=True, help_text="One per problem; may be empty.")
