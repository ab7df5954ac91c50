from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0007_import_job_via"),
    ]

    operations = [
        migrations.AddField(
            model_name="importcheck",
            name="headers",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
