import copy

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import RegexValidator
from django.db import connection, models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS, PKOnlyObject

from patron.customers.models import BulkDeletion, Category, Customer, Tag
from patron.customers.services import EDITABLE_FIELDS
from patron.workspaces.models import Store


class StrictCharField(serializers.CharField):
    """A string, as the schema says: DRF's CharField would also take 0 and store "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
        "nullable": True,
        "example": "1200.50",
    }
)
class AmountField(serializers.DecimalField):
    """A non-negative amount with at most two decimals, written as a string ("1200.50"),
    as the schema says: DRF's DecimalField would also take the JSON number 1200.5."""

    def validate_empty_values(self, data):
        if data == "":  # DRF would read "" as null; the schema's pattern does not allow it
            self.fail("invalid")
        return super().validate_empty_values(data)

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


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of ids, as the schema says: DRF's would also take {} (any iterable) as []."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Ids of related rows; with many=True a list of them and nothing else."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return StrictManyRelatedField(**list_kwargs)


class StrictModelSerializer(serializers.ModelSerializer):
    """Takes only what the schema says: strings for text, true/false for booleans and
    lists of ids for many related rows (DRF alone is more lenient than its schema)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField


class CustomerListSerializer(serializers.ListSerializer):
    """Customers written out with the ids of their tags and stores read for the whole page,
    one query of each link table (related_ids), unless the rows came with them prefetched:
    a prefetch through the ORM built and ran a query of each related table and made a model
    of each row (1 ms of CPU for a page of ten customers, a fifth of a search's)."""

    def to_representation(self, data):
        rows = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        self.child._related_ids = related_ids(rows, MANY_TO_MANY)
        return [self.child.to_representation(row) for row in rows]


# The customer's many-to-many fields written out as lists of ids.
MANY_TO_MANY = ("tags", "stores")


def related_ids(rows: list[models.Model], names: tuple[str, ...]) -> dict[str, dict]:
    """By field name, each row's related ids in the related model's order (as a prefetch
    gives them: Meta.ordering, here by name), for the fields of `names` not already
    prefetched on the rows."""
    prefetched = getattr(rows[0], "_prefetched_objects_cache", {}) if rows else {}
    found = {}
    pks = [row.pk for row in rows]
    for name in names:
        if not pks or name in prefetched:
            continue
        field = rows[0]._meta.get_field(name)
        related = field.related_model._meta
        order = [*related.ordering, related.pk.name]
        if any(not isinstance(key, str) or "__" in key or "?" in key for key in order):
            continue  # an ordering SQL cannot be written here from; read by the field
        quote = connection.ops.quote_name
        sort = ", ".join(
            f"r.{quote(related.get_field(key.lstrip('-')).column)}"
            + (" DESC" if key.startswith("-") else "")
            for key in order
        )
        source, target = quote(field.m2m_column_name()), quote(field.m2m_reverse_name())
        sql = (
            f"SELECT m.{source}, m.{target} FROM {quote(field.m2m_db_table())} m "
            f"JOIN {quote(related.db_table)} r ON r.{quote(related.pk.column)} = m.{target} "
            f"WHERE m.{source} IN ({', '.join(['%s'] * len(pks))}) ORDER BY {sort}"
        )
        by_row = {pk: [] for pk in pks}
        with connection.cursor() as cursor:
            cursor.execute(sql, pks)
            for pk, related_pk in cursor.fetchall():
                by_row[pk].append(related_pk)
        found[name] = by_row
    return found


class CustomerSerializer(serializers.ModelSerializer):
    """A customer (person or organization). Phones come back in E.164; any format is accepted.

    Related ids (organization, category, tags, stores) must belong to the token's workspace.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField

    class Meta:
        model = Customer
        list_serializer_class = CustomerListSerializer
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

    def to_representation(self, instance):
        """What DRF's own would give (a test compares them), by a plan of readers made once
        per class: DRF builds its ~45 fields from the model for every request, which cost
        more than a page of search results did to find and write out."""
        return {name: read(self, instance) for name, read in self._readers()}

    @classmethod
    def _readers(cls) -> list:
        readers = cls.__dict__.get("_reader_plan")
        if readers is None:
            template = cls(context={})
            readers = [
                (field.field_name, _reader(field, cls.Meta.model))
                for field in template._readable_fields
            ]
            cls._reader_plan = readers
        return readers


# Fields whose to_representation depends on the value alone (not on the request).
PLAIN_FIELDS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.IntegerField,
)


def _reader(field: serializers.Field, model):
    """A function (serializer, instance) -> the field's value as DRF writes it out."""
    source = field.source
    simple = len(field.source_attrs) == 1 and source != "*"
    if simple and isinstance(field, serializers.ManyRelatedField):
        if isinstance(field.child_relation, serializers.PrimaryKeyRelatedField) and (
            field.child_relation.pk_field is None
        ):
            return _many_ids(model, source)
    elif simple and isinstance(field, serializers.PrimaryKeyRelatedField):
        if field.use_pk_only_optimization() and field.pk_field is None:
            attname = model._meta.get_field(source).attname
            return lambda serializer, instance: getattr(instance, attname)
    elif (
        simple and isinstance(field, PLAIN_FIELDS) and not isinstance(field, serializers.FileField)
    ):
        represent = field.to_representation

        def read(serializer, instance):
            value = getattr(instance, source)
            return None if value is None else represent(value)

        return read
    return _BoundReader(field)


def _many_ids(model, source: str):
    """The ids of a many-to-many field's related rows. A forward field's prefetched rows
    are read from the prefetch cache (named after the field) without building its related
    manager, which costs about 35 us a row and field: 1.5 ms of a page of 10 customers."""
    try:
        field = model._meta.get_field(source)
    except FieldDoesNotExist:  # a property of the model's
        field = None
    cache_name = field.name if isinstance(field, models.ManyToManyField) else None

    def read(serializer, instance):
        cache = getattr(instance, "_prefetched_objects_cache", None)
        if cache_name and cache and cache_name in cache:
            return [related.pk for related in cache[cache_name]]
        listed = serializer.__dict__.get("_related_ids", {}).get(cache_name)
        if listed is not None and instance.pk in listed:
            return listed[instance.pk]
        return [related.pk for related in getattr(instance, source).all()]

    return read


class _BoundReader:
    """DRF's way for any other field (a file's URL needs the request): a copy of the field
    bound to the serializer at hand, made once per serializer."""

    def __init__(self, field: serializers.Field):
        self.field = field

    def __call__(self, serializer, instance):
        bound = serializer.__dict__.setdefault("_bound_readers", {})
        field = bound.get(self.field.field_name)
        if field is None:
            field = bound[self.field.field_name] = copy.deepcopy(self.field)
            field.bind(self.field.field_name, serializer)
        attribute = field.get_attribute(instance)
        value = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if value is None else field.to_representation(attribute)


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


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, as the schema says: DRF's IntegerField would also take "5" and 5.0."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class BulkDeleteRequestSerializer(serializers.Serializer):
    expected_count = StrictIntegerField(
        min_value=0,
        max_value=2_147_483_647,
        help_text="How many customers you confirmed the search finds; "
        "if it now finds another number, nothing is deleted (409).",
    )


class BulkDeletionSerializer(serializers.ModelSerializer):
    expected_count = serializers.IntegerField(source="count", read_only=True)
    done = serializers.IntegerField(source="done_count", read_only=True)
    deleted = serializers.IntegerField(source="deleted_count", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:bulkdeletion-detail")

    class Meta:
        model = BulkDeletion
        fields = [
            *("id", "url", "state", "expected_count", "done", "deleted", "query", "via"),
            *("error", "created_at", "finished_at"),
        ]
        read_only_fields = fields
