"""Choosing a person's organization without listing every organization.

A workspace can hold tens of thousands of organizations; a `<select>` of all of them made
the customer form slow to build and useless to scroll. The form's select holds only the
chosen organization, and a search box beside it asks `organization_options` for the
organizations matching what is typed (the banner search's rules, organizations only).
The posted value is still the organization's id, checked against the whole workspace.
"""

from django import forms
from django.shortcuts import render

from patron.customers.models import Customer
from patron.customers.normalize import is_plain_number
from patron.customers.queries import global_search
from patron.workspaces.permissions import requires

SHOWN = 20


def organization_label(organization: Customer) -> str:
    return f"{organization} (no. {organization.number})"


class OrganizationSelect(forms.Select):
    """A select of only the chosen organization, with a search box that fills it."""

    template_name = "customers/widgets/organization_select.html"

    def __init__(self, attrs=None, exclude_pk: int | None = None):
        super().__init__(attrs)
        self.exclude_pk = exclude_pk

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if is_plain_number(str(v))]
        options = [self.create_option(name, "", "—", not chosen, 0)]
        for index, organization in enumerate(self.choices.queryset.filter(pk__in=chosen), 1):
            label = organization_label(organization)
            options.append(self.create_option(name, organization.pk, label, True, index))
        return [(None, [option], option["index"]) for option in options]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["exclude_pk"] = self.exclude_pk
        return context


@requires("customers.view")
def organization_options(request):
    """The `<option>`s for the organization box: the one chosen, then up to 20 matches."""
    organizations = Customer.objects.in_workspace(request.workspace).current().organizations()
    if is_plain_number(request.GET.get("exclude", "")):
        organizations = organizations.exclude(pk=request.GET["exclude"])
    chosen = request.GET.get("organization", "")
    current = organizations.filter(pk=chosen).first() if is_plain_number(chosen) else None
    text = request.GET.get("q", "").strip()
    matches = []
    if len(text) >= 2 or is_plain_number(text):
        region = request.workspace.default_region
        found = global_search(organizations.searchable(), text, region)
        matches = [o for o in found[: SHOWN + 1] if o != current][:SHOWN]
    options = ([current] if current else []) + matches
    context = {
        "options": [(o.pk, organization_label(o)) for o in options],
        "chosen": current.pk if current else None,
        "q": text,
        "more": len(matches) == SHOWN,
    }
    return render(request, "customers/widgets/organization_options.html", context)
