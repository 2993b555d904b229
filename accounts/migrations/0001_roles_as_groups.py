from django.db import migrations

# The role groups with their Vietnamese names (accounts/roles.py GROUP_NAMES), frozen
# here as they were when this migration was written.
GROUP_NAMES = [
    "Quản trị hệ thống",
    "Lãnh đạo Sở",
    "Cán bộ Thanh tra Sở",
    "Văn phòng Sở",
    "Tổ trưởng Tổ kiểm tra",
    "Thành viên Tổ kiểm tra",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUP_NAMES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
