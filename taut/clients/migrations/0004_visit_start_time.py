from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_consent_statement_consent_withdrawn_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="start_time",
            field=models.TimeField(blank=True, null=True),
        ),
    ]
