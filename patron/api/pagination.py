from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from patron.core import keyset


def _whole_number(text: str) -> int | None:
    """12 for "12"; None for anything else (int() would also take " 12", "1_2", "١٢")."""
    return int(text) if text.isascii() and text.isdecimal() else None


class PagePagination(PageNumberPagination):
    """`page` counts from 1 ("last" is the last page); `page_size` is capped at 500.

    Empty, they are as if not given. DRF would read a malformed page_size as the default
    and a page of "1.0" as 1; here a malformed page_size is a 400 and a malformed page a
    404, as the schema says.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Results per page; more than 500 is read as 500."

    def get_page_size(self, request):
        text = request.query_params.get(self.page_size_query_param)
        if not text:
            return self.page_size
        size = _whole_number(text)
        if not size:
            raise ValidationError({self.page_size_query_param: "Give a whole number from 1."})
        return min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if isinstance(number, str) and _whole_number(number) is None:
            raise NotFound(self.invalid_page_message.format(page_number=number, message=""))
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            parameter["allowEmptyValue"] = True
        return parameters


class KeysetPagination(PagePagination):
    """PagePagination's `page` (within the first 10,000 results) and `page_size`, plus
    `cursor`: `next` and `previous` are cursor links, so following them costs the same at
    any depth, however many results. `count` is exact up to 1,000 (`count_exact` true);
    beyond, an estimate (PostgreSQL) or 1,001, with `count_exact` false.
    """

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        number = request.query_params.get(self.page_query_param) or None
        if number is not None:
            if _whole_number(number) is None:
                raise NotFound(self.invalid_page_message.format(page_number=number, message=""))
            number = int(number)
            if number < 1 or (number - 1) * size >= keyset.OFFSET_CAP:
                raise NotFound(
                    f"Page numbers go as far as the first {keyset.OFFSET_CAP:,} results; "
                    "follow the `next` links (cursors) beyond."
                )
        try:
            self.page = keyset.paginate(
                queryset,
                size=size,
                cursor=request.query_params.get(self.cursor_query_param) or None,
                number=number,
            )
        except keyset.InvalidCursor as error:
            raise NotFound(str(error)) from error
        if number and number > 1 and not self.page.rows:
            raise NotFound(self.invalid_page_message.format(page_number=number, message=""))
        return self.page.rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.count.value,
                "count_exact": self.page.count.exact,
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "Whether `count` is exact (false: at least that many, estimated).",
        }
        response["required"] = [*response.get("required", []), "count_exact"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where a page starts: from the `next` or `previous` link.",
                "schema": {"type": "string"},
                "allowEmptyValue": True,
            }
        )
        return parameters
