"""The report page's list of the units short of compliance, stored apart from the snapshot.
Reports taken before it get theirs on their first view (reports/provincial.py: stored_digest)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_report_digest")]

    operations = [
        migrations.AddField(model_name="provincialreport", name="short_rows",
                            field=models.JSONField(default=list, editable=False)),
    ]
