from django.db import migrations, models


class Migration(migrations.Migration):
    """What an opening showed: a page or a document. The logs written before were all of
    the visit page or the route sheet, which cannot be told apart now: they are marked as
    the visit page."""

    dependencies = [
        ("inspections", "0006_follow_up_ladder"),
    ]

    operations = [
        migrations.AddField(
            model_name="visitviewlog",
            name="opened",
            field=models.CharField(
                choices=[("visit_page", "Visit page"), ("route_sheet", "Route sheet"),
                         ("minutes_pdf", "Minutes (PDF)"), ("minutes_print", "Minutes (print view)"),
                         ("notice_pdf", "Schedule notice (PDF)")],
                default="visit_page", max_length=20, verbose_name="opened"),
            preserve_default=False,
        ),
    ]
