"""The English labels of the 2021 checklist (issue #14.5), written into its published
versions: a label is a translation of the text, not a change of what is asked."""

from django.db import migrations

from inspections.checklist_2021 import ENGLISH, NAME


def label(apps, schema_editor):
    ChecklistSection = apps.get_model("inspections", "ChecklistSection")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    for code, (title, _help) in ENGLISH.items():
        ChecklistSection.objects.filter(template__name=NAME, code=code, title_en="").update(title_en=title)
        ChecklistItem.objects.filter(section__template__name=NAME, code=code, text_en="").update(text_en=title)
        ChecklistItem.objects.filter(section__template__name=NAME, code=code, help_text_en="").update(
            help_text_en=_help)


class Migration(migrations.Migration):

    dependencies = [("inspections", "0011_campaigns_checklists")]

    operations = [migrations.RunPython(label, migrations.RunPython.noop)]
