"""History's own table: what it keeps, and what its unconstrained links still do."""

import pytest
from django.core.exceptions import FieldError

from patron.history.models import Change
from patron.history.services import changes_for
from patron.testing.factories import make_customer
from patron.workspaces.models import User


def test_a_changes_fields_come_back_as_they_were_written(customer, admin):
    fields = [
        {"field": "last_name", "label": "Last name", "old": 'O"Brien \\ Ñúñez', "new": "李 🙂"},
        {"field": "notes", "label": "Notes", "old": "", "new": "line one\nline two\ttab"},
    ]
    change = Change.objects.create(
        workspace=customer.workspace, target=customer, action="update", fields=fields
    )
    assert Change.objects.get(pk=change.pk).fields == fields
    assert Change.objects.filter(pk=change.pk).values_list("fields", flat=True).get() == fields


def test_searching_inside_a_changes_fields_is_refused_with_a_clear_error(customer):
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(changes_for(customer).filter(fields__0__field="last_name"))


def test_a_deleted_users_changes_stay_in_history_without_an_actor(workspace, member):
    editor = member().user
    customer = make_customer(workspace, editor, last_name="Kept")
    User.objects.filter(pk=editor.pk).delete()
    created = changes_for(customer).get(action="create")
    assert created.actor is None
    assert created.fields  # what was done is still there


def test_a_deleted_workspace_takes_its_history_with_it(customer, other_workspace, admin):
    theirs = make_customer(other_workspace, admin, last_name="Rival")
    workspace = customer.workspace
    workspace.delete()
    assert not Change.objects.filter(workspace_id=workspace.pk).exists()
    assert list(changes_for(theirs).values_list("action", flat=True)) == ["create"]
