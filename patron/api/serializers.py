from rest_framework import serializers

from patron.customers.models import Category, Customer, Tag
from patron.customers.services import EDITABLE_FIELDS
from patron.workspaces.models import Store


class CustomerSerializer(serializers.ModelSerializer):
    """A customer (person or organization). Phones come back in E.164; any format is accepted.

    Related ids (organization, category, tags, stores) must belong to the token's workspace.
    """

    class Meta:
        model = Customer
        fields = [
            "id",
            "number",
            *[name for name in EDITABLE_FIELDS if name != "logo"],
            "logo",
            "email_invalid_since",
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


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="The user's email address.")
    password = serializers.CharField(style={"input_type": "password"})
    workspace = serializers.SlugField(
        required=False, help_text="Workspace slug; the user's first workspace if omitted."
    )
    name = serializers.CharField(required=False, max_length=100, default="API client")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    workspace = serializers.SlugField()
