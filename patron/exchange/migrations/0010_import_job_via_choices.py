from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0009_import_job_keeps_headers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="via",
            field=models.CharField(
                blank=True, choices=[("page", "Import wizard"), ("api", "API")], max_length=20
            ),
        ),
    ]
