"""The report page's digest of its figures. Reports taken before it get theirs on their first
view (reports/provincial.py: stored_digest), from their frozen snapshot."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_answer_changes_bump_version")]

    operations = [
        migrations.AddField(model_name="provincialreport", name="digest",
                            field=models.JSONField(default=dict, editable=False)),
    ]
