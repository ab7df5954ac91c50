from django.core.validators import RegexValidator
from django.db import models
from rest_framework import serializers

from patron.customers.models import Category, Customer, Tag
from patron.customers.services import EDITABLE_FIELDS
from patron.workspaces.models import Store


class StrictCharField(serializers.CharField):
    """A string, as the schema says: DRF's CharField would also take 0 and store "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, as the schema says: DRF's BooleanField would also take "yes", 1, "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class CustomerSerializer(serializers.ModelSerializer):
    """A customer (person or organization). Phones come back in E.164; any format is accepted.

    Related ids (organization, category, tags, stores) must belong to the token's workspace.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }

    class Meta:
        model = Customer
        fields = [
            "id",
            "number",
            *[name for name in EDITABLE_FIELDS if name != "logo"],
            "logo",
            "email_invalid_since",
            "workflow_state",
            "decline_reason",
            "version",
            "archived_at",
            "deleted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "logo",
            "email_invalid_since",
            "workflow_state",
            "decline_reason",
            "version",
            "archived_at",
            "deleted_at",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["organization"].queryset = (
            Customer.objects.in_workspace(workspace).current().organizations()
        )
        fields["category"].queryset = Category.objects.in_workspace(workspace)
        fields["tags"].child_relation.queryset = Tag.objects.in_workspace(workspace)
        fields["stores"].child_relation.queryset = Store.objects.filter(workspace=workspace)
        return fields


# Leading and trailing spaces are trimmed, so there must be something else (the schema
# says so with this pattern; minLength alone would promise that " " is fine).
NOT_BLANK = RegexValidator(r"\S", "This field may not be blank.", code="blank")


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(help_text="The user's email address.", validators=[NOT_BLANK])
    # Not trimmed: " secret " is a password of its own (Django's login form keeps spaces too).
    password = StrictCharField(style={"input_type": "password"}, trim_whitespace=False)
    workspace = serializers.SlugField(
        required=False, help_text="Workspace slug; the user's first workspace if omitted."
    )
    name = StrictCharField(
        required=False, max_length=100, default="API client", validators=[NOT_BLANK]
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    workspace = serializers.SlugField()


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "description"]


class StoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = ["id", "name"]


class DeclineSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, help_text="Why the customer is declined.")
