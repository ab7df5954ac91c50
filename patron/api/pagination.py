from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


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
