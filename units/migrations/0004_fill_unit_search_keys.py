from django.db import migrations

from units import text


def fill(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    units = list(Unit.objects.all())
    for unit in units:
        unit.name_key = text.name_key(unit.name)
        unit.sort_key = text.sort_key(unit.name)
        unit.search_text = " ".join(filter(None, [text.fold(unit.name), text.fold(unit.address)]))
    Unit.objects.bulk_update(units, ["name_key", "sort_key", "search_text"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("units", "0003_registry_search_provenance_imports")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
