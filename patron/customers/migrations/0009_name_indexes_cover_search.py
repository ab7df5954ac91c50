"""The name keys' indexes also hold (name_key, id, deleted_at, archived_at): global search
sorts and counts a name prefix's matches from them alone (see Customer.Meta.indexes)."""

from django.db import migrations, models

from patron.core.migration_operations import AddIndexWithoutLocking, RemoveIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds the indexes concurrently: the table stays in use

    dependencies = [
        ("customers", "0008_search_keys"),
    ]

    operations = [
        RemoveIndexWithoutLocking(
            model_name="customer",
            name="customer_given_name_idx",
        ),
        RemoveIndexWithoutLocking(
            model_name="customer",
            name="customer_name_idx",
        ),
        RemoveIndexWithoutLocking(
            model_name="customer",
            name="customer_company_idx",
        ),
        AddIndexWithoutLocking(
            model_name="customer",
            index=models.Index(
                fields=["workspace", "name_key", "id", "deleted_at", "archived_at"],
                name="customer_name_idx",
            ),
        ),
        AddIndexWithoutLocking(
            model_name="customer",
            index=models.Index(
                fields=["workspace", "given_name_key", "name_key", "id"],
                name="customer_given_name_idx",
            ),
        ),
        AddIndexWithoutLocking(
            model_name="customer",
            index=models.Index(
                fields=["workspace", "company_key", "name_key", "id", "deleted_at", "archived_at"],
                name="customer_company_idx",
            ),
        ),
    ]
