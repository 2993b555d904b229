from django.db import migrations

# The kinds of place the plan and DESIGN §2 name; our own classification, not
# PC-Covid's. Administrators add more in the admin.
CATEGORIES = [
    ("so_ban_nganh", "Sở, ban, ngành cấp tỉnh", "Provincial department or agency"),
    ("co_quan_trung_uong", "Cơ quan Trung ương đóng trên địa bàn", "Central agency in the province"),
    ("ubnd_huyen", "UBND huyện, thị xã, thành phố", "District People's Committee"),
    ("ubnd_xa", "UBND xã, phường, thị trấn", "Commune People's Committee"),
    ("doanh_nghiep_sxkd", "Cơ sở sản xuất, kinh doanh", "Production or business establishment"),
    ("benh_vien_co_so_y_te", "Bệnh viện, cơ sở y tế", "Hospital or health facility"),
    ("cho", "Chợ", "Market"),
    ("sieu_thi_ttm", "Siêu thị, trung tâm thương mại", "Supermarket or trade centre"),
    ("co_so_luu_tru", "Khách sạn, cơ sở lưu trú", "Hotel or lodging"),
    ("nha_hang_quan_an", "Nhà hàng, quán ăn, quán cà phê", "Restaurant or café"),
    ("truong_hoc", "Trường học", "School"),
    ("ben_xe_van_tai", "Bến xe, vận tải hành khách", "Bus station or transport"),
    ("diem_du_lich", "Điểm du lịch", "Tourist site"),
    ("cong_cong_dong_nguoi", "Nơi công cộng tập trung đông người", "Other crowded public place"),
    ("khac", "Khác", "Other"),
]


def seed(apps, schema_editor):
    UnitCategory = apps.get_model("units", "UnitCategory")
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        UnitCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("units", "0001_divisions_categories_units")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
