from django.db import migrations, models


def checked_drafts_via_api(apps, schema_editor):
    # Which made a draft was not recorded before: a draft with a check may be the API's
    # (every one of them has its check), so those keep answering at their check's URLs.
    # A wizard's among them is purged within a week, as every draft.
    ImportJob = apps.get_model("exchange", "ImportJob")
    ImportJob.objects.filter(status="queued", options={}, checks__isnull=False).update(via="api")


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0006_import_check_duplicates"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="via",
            field=models.CharField(blank=True, help_text="page or api", max_length=20),
        ),
        migrations.RunPython(checked_drafts_via_api, migrations.RunPython.noop),
    ]
