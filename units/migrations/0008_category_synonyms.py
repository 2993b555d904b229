import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from units.text import name_key

# The words Hà Tĩnh's lists use for each kind of place (issue #14): the import reads a
# category cell, or the start of a unit's name, by them. The administrator adds more in
# the product (Registry → Categories). Every seeded category keeps its English label
# (name_en, seeded by 0002), filled here again where an administrator emptied it.
SYNONYMS = {
    "so_ban_nganh": ["Sở", "Sở, ban, ngành", "Ban quản lý", "Văn phòng Đoàn ĐBQH và HĐND tỉnh"],
    "co_quan_trung_uong": ["Cơ quan trung ương", "Cục", "Chi cục", "Kho bạc Nhà nước", "Bảo hiểm xã hội",
                           "Cục Thuế", "Cục Hải quan"],
    "ubnd_huyen": ["UBND huyện", "UBND thị xã", "UBND thành phố", "Ủy ban nhân dân huyện",
                   "Ủy ban nhân dân thị xã", "Ủy ban nhân dân thành phố"],
    "ubnd_xa": ["UBND xã", "UBND phường", "UBND thị trấn", "Ủy ban nhân dân xã", "Ủy ban nhân dân phường",
                "Ủy ban nhân dân thị trấn"],
    "doanh_nghiep_sxkd": ["Doanh nghiệp", "Công ty", "Nhà máy", "Xí nghiệp", "Hợp tác xã", "Cửa hàng",
                          "Cơ sở sản xuất", "Cơ sở kinh doanh", "Hộ kinh doanh"],
    "benh_vien_co_so_y_te": ["Bệnh viện", "Trạm y tế", "Trung tâm y tế", "Phòng khám", "Cơ sở y tế", "Y tế"],
    "cho": ["Chợ", "Chợ đầu mối", "Chợ dân sinh"],
    "sieu_thi_ttm": ["Siêu thị", "Trung tâm thương mại", "Cửa hàng tiện lợi"],
    "co_so_luu_tru": ["Khách sạn", "Nhà nghỉ", "Nhà khách", "Homestay", "Cơ sở lưu trú"],
    "nha_hang_quan_an": ["Nhà hàng", "Quán ăn", "Quán cà phê", "Cà phê", "Cafe", "Quán nhậu", "Quán bia",
                         "Dịch vụ ăn uống"],
    "truong_hoc": ["Trường", "Trường học", "Trường mầm non", "Trường mẫu giáo", "Trường tiểu học",
                   "Trường THCS", "Trường trung học cơ sở", "Trường THPT", "Trường trung học phổ thông",
                   "Trường cao đẳng", "Trường đại học", "Trường trung cấp", "Trung tâm giáo dục nghề nghiệp"],
    "ben_xe_van_tai": ["Bến xe", "Nhà xe", "Nhà ga", "Ga tàu", "Cảng", "Vận tải"],
    "diem_du_lich": ["Khu du lịch", "Điểm du lịch", "Bãi biển", "Khu di tích"],
    "cong_cong_dong_nguoi": ["Nơi công cộng", "Sân vận động", "Nhà văn hóa", "Trung tâm văn hóa",
                             "Quảng trường", "Công viên"],
}


def seed_synonyms(apps, schema_editor):
    UnitCategory = apps.get_model("units", "UnitCategory")
    CategorySynonym = apps.get_model("units", "CategorySynonym")
    english = {code: name_en for code, _name, name_en in _seeded_categories()}
    for category in UnitCategory.objects.filter(code__in=SYNONYMS):
        if not category.name_en and english.get(category.code):
            category.name_en = english[category.code]
            category.save(update_fields=["name_en"])
        for words in SYNONYMS[category.code]:
            key = name_key(words)
            if not CategorySynonym.objects.filter(key=key).exists():
                CategorySynonym.objects.create(category=category, words=words, key=key)


def _seeded_categories():
    import importlib

    return importlib.import_module("units.migrations.0002_seed_unit_categories").CATEGORIES


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0007_unit_sample_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CategorySynonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("words", models.CharField(max_length=120, verbose_name="words")),
                ("key", models.CharField(editable=False, max_length=120)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="added at")),
                ("category", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="synonyms",
                                               to="units.unitcategory", verbose_name="category")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL,
                                                 verbose_name="added by")),
            ],
            options={
                "verbose_name": "category synonym",
                "verbose_name_plural": "category synonyms",
                "ordering": ["category__order", "key"],
                "constraints": [
                    models.UniqueConstraint(fields=("key",), name="units_categorysynonym_key_unique"),
                    models.CheckConstraint(condition=models.Q(("key", ""), _negated=True),
                                           name="units_categorysynonym_key_not_empty"),
                ],
            },
        ),
        migrations.RunPython(seed_synonyms, migrations.RunPython.noop),
    ]
