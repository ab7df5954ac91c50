from django.db import migrations


def checks_headers_to_their_drafts(apps, schema_editor):
    # A draft now keeps its file's headers from its upload on; one made before has them
    # only in its check (0008), which goes: copied into the draft, its check's mapping is
    # still shown once its file is gone. Only drafts have checks, a few at a time.
    ImportCheck = apps.get_model("exchange", "ImportCheck")
    ImportJob = apps.get_model("exchange", "ImportJob")
    checks = ImportCheck.objects.filter(job__headers=[]).exclude(headers=[])
    for job_id, headers in checks.values_list("job_id", "headers").iterator():
        ImportJob.objects.filter(pk=job_id, headers=[]).update(headers=headers)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0008_import_check_headers"),
    ]

    operations = [
        migrations.RunPython(checks_headers_to_their_drafts, migrations.RunPython.noop),
        migrations.RemoveField(model_name="importcheck", name="headers"),
    ]
