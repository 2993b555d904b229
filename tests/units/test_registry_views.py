import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_unit
from units.history import describe_changes
from units.models import Division, Unit, UnitCategory


@pytest.fixture
def units(divisions):
    return [
        make_unit("Chợ Hà Tĩnh", commune=18070, phone="0912345678", address="Đường Phan Đình Phùng"),
        make_unit("Đồn Biên phòng", commune=18070, category="khac"),
        make_unit("Dược phẩm Yên Hòa", commune=18229, category="doanh_nghiep_sxkd"),
        make_unit("Trường THCS Tân Lộc", commune=18409, category="truong_hoc", is_active=False),
    ]


def names(response):
    return [unit.name for unit in response.context["page"]]


def test_the_list_is_in_vietnamese_order_with_d_before_dj(client, coordinator, units):
    client.force_login(coordinator)

    response = client.get(reverse("units:unit_list"))

    assert names(response) == ["Chợ Hà Tĩnh", "Dược phẩm Yên Hòa", "Đồn Biên phòng", "Trường THCS Tân Lộc"]


@pytest.mark.parametrize(("query", "expected"), [
    ("cho ha tinh", ["Chợ Hà Tĩnh"]),
    ("CHỢ HÀ TĨNH", ["Chợ Hà Tĩnh"]),
    ("Yên Hoà", ["Dược phẩm Yên Hòa"]),
    ("0912 345 678", ["Chợ Hà Tĩnh"]),
    ("+84912345678", ["Chợ Hà Tĩnh"]),
    ("phan dinh phung", ["Chợ Hà Tĩnh"]),
    ("khong co", []),
    # Words in any order, and parts of words (issue #14): "cho duc tho" finds "Chợ Thị trấn Đức Thọ".
    ("ha tinh cho", ["Chợ Hà Tĩnh"]),
    ("thcs loc truong", ["Trường THCS Tân Lộc"]),
    ("tin ch", ["Chợ Hà Tĩnh"]),
    ("cho yen", []),
])
def test_search_ignores_diacritics_case_tone_placement_and_phone_format(client, coordinator, units, query, expected):
    client.force_login(coordinator)

    assert names(client.get(reverse("units:unit_list"), {"q": query})) == expected


def test_filters_and_counts_per_district(client, coordinator, units):
    client.force_login(coordinator)
    district = units[0].commune.parent

    response = client.get(reverse("units:unit_list"), {"district": district.pk, "active": "1"})

    assert names(response) == ["Chợ Hà Tĩnh", "Đồn Biên phòng"]
    assert [(row["commune__parent__name"], row["n"]) for row in response.context["per_district"]] == [
        ("Thành phố Hà Tĩnh", 2)]
    response = client.get(reverse("units:unit_list"), {"active": "0"})
    assert names(response) == ["Trường THCS Tân Lộc"]
    response = client.get(reverse("units:unit_list"), {"category": units[2].category.pk})
    assert names(response) == ["Dược phẩm Yên Hòa"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_runs_a_fixed_number_of_queries(client, coordinator, divisions, django_assert_num_queries, count):
    for number in range(count):
        make_unit(f"Chợ số {number}")
    client.force_login(coordinator)

    # session, user with their groups, commune choices, count, active campaigns (to add the filtered units to the
    # targets), district and category selects, the page, counts per district
    with django_assert_num_queries(9):
        response = client.get(reverse("units:unit_list"))
    assert len(response.context["page"]) == count


def test_an_inspector_sees_no_unit_until_visits_are_assigned(client, inspector, units):
    client.force_login(inspector)

    assert names(client.get(reverse("units:unit_list"))) == []
    assert client.get(reverse("units:unit_detail", args=[units[0].pk])).status_code == 404


def test_the_detail_page_shows_every_field_and_the_history(client, coordinator, units):
    client.force_login(coordinator)
    unit = units[0]
    client.post(reverse("units:unit_edit", args=[unit.pk]), {
        "name": unit.name, "category": unit.category.pk, "commune": unit.commune.pk, "address": unit.address,
        "phone": "0912 345 679", "qr_status": "posted", "is_active": "on"})

    response = client.get(reverse("units:unit_detail", args=[unit.pk]))

    html = response.content.decode()
    assert "Đường Phan Đình Phùng" in html
    assert "<title>Chợ Hà Tĩnh · Sở TT&TT Hà Tĩnh</title>" in html
    assert html.count('id="visits-heading"') == 1
    when, who, fields = response.context["changes"][0]
    assert who == coordinator
    with translation.override("en"):
        assert sorted((str(label), str(old), str(new)) for label, old, new in fields) == [
            ("location QR status", "No location QR code", "QR code posted"), ("phone", "0912345678", "0912345679")]


def unit_form(unit=None, **overrides):
    data = {"name": "Chợ Nghèn", "category": UnitCategory.objects.get(code="cho").pk,
            "commune": Division.objects.get(level=3, code=18406).pk, "address": "Thị trấn Nghèn",
            "phone": "+84 912.345.111", "qr_status": "none", "is_active": "on"}
    data.update(overrides)
    return data


def test_creating_a_unit_normalises_the_phone_and_records_who(client, coordinator, divisions):
    client.force_login(coordinator)

    response = client.post(reverse("units:unit_create"), unit_form())

    unit = Unit.objects.get()
    assert response["Location"] == reverse("units:unit_detail", args=[unit.pk])
    assert (unit.phone, unit.created_by, unit.updated_by) == ("0912345111", coordinator, coordinator)


def test_a_bad_phone_keeps_what_was_typed_and_says_why_in_vietnamese(client, coordinator, divisions):
    client.force_login(coordinator)

    response = client.post(reverse("units:unit_create"), unit_form(phone="12345"))

    assert Unit.objects.count() == 0
    html = response.content.decode()
    assert "không phải số điện thoại" in html
    assert 'value="Chợ Nghèn"' in html


def test_a_likely_duplicate_is_shown_before_saving_and_can_be_confirmed(client, coordinator, divisions):
    existing = make_unit("Chợ  nghèn", commune=18406)
    client.force_login(coordinator)

    response = client.post(reverse("units:unit_create"), unit_form())
    assert response.context["form"].duplicates == [existing]
    assert Unit.objects.count() == 1

    client.post(reverse("units:unit_create"), unit_form(confirm_duplicate="on"))
    assert Unit.objects.count() == 2


def test_a_location_code_of_another_unit_is_refused(client, coordinator, divisions):
    make_unit("Chợ Hà Tĩnh", qr_location_code="HT-0001")
    client.force_login(coordinator)

    response = client.post(reverse("units:unit_create"), unit_form(qr_location_code="HT-0001"))

    assert Unit.objects.count() == 1
    assert "đã có mã địa điểm này" in response.content.decode()


def test_the_export_keeps_text_as_text(client, coordinator, divisions):
    make_unit("=HYPERLINK(\"http://x\")", address="+84 đường 1")
    client.force_login(coordinator)

    response = client.get(reverse("units:unit_export"))

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Tên", "Loại đơn vị")
    assert rows[1][0] == "=HYPERLINK(\"http://x\")"
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert rows[1][4] == "+84 đường 1"


@pytest.mark.parametrize("count", [1, 3])
def test_the_export_runs_a_fixed_number_of_queries(client, coordinator, divisions, django_assert_num_queries, count):
    for number in range(count):
        make_unit(f"Chợ số {number}")
    client.force_login(coordinator)

    # session, user with their groups, commune choices of the filter form, the units
    with django_assert_num_queries(4):
        response = client.get(reverse("units:unit_export"))
        rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == count + 1


def test_an_import_preview_names_its_changes_as_the_history_does(db):
    market = UnitCategory.objects.get(code="cho")
    row = SimpleNamespace(changes={"qr_status": ["none", "posted"], "is_active": [True, False],
                                   "category": [None, market.pk], "qr_created_on": [None, "2021-12-05"]})
    with translation.override("en"):
        describe_changes([row])
        assert [(str(label), str(old), str(new)) for label, old, new in row.change_list] == [
            ("location QR status", "No location QR code", "QR code posted"), ("active", "Yes", "No"),
            ("category", "None", str(market)), ("QR code created on", "None", "05/12/2021")]
