from django import template
from django.http import QueryDict

from patron.customers.normalize import display_phone

register = template.Library()


@register.filter
def phone(value: str, region: str) -> str:
    """An E.164 number the way people in `region` write it."""
    return display_phone(value or "", region or "GB")


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters changed (sorting, paging)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    if "ordering" in changes:
        params.pop("page", None)
        params.pop("cursor", None)
    return "?" + params.urlencode() if params else "?"


@register.inclusion_tag("patron/_sort_header.html", takes_context=True)
def sort_header(context, field: str, label: str):
    current = context["request"].GET.get("ordering", "")
    direction = "asc" if current == field else "desc" if current == f"-{field}" else ""
    return {
        "request": context["request"],
        "label": label,
        "direction": direction,
        "next": f"-{field}" if current == field else field,
    }
