from django.db import migrations, models


class Migration(migrations.Migration):
    """The dashboard's counts of a campaign's visits by status and day, from an index."""

    dependencies = [
        ("inspections", "0009_visit_submitted_by_label"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["campaign", "status", "starts_at"], include=["unit"],
                               name="inspections_visit_dashboard"),
        ),
    ]
