from django.db import migrations, models


class Migration(migrations.Migration):
    """The dashboard's counts of a campaign's visits by status and day, from an index."""

    dependencies = [
        ("inspections", "0012_checklist_2021_english_labels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["campaign", "status", "starts_at"], include=["unit"],
                               name="inspections_visit_dashboard"),
        ),
    ]
