import pytest
from django.urls import reverse

from tests.factories import make_unit
from tests.units.workbook_builders import upload
from units import imports, reconciliation
from units.models import ImportBatch, ImportRow, Unit
from units.services import load_divisions

PORTAL_HEADER = ["STT", "Tên địa điểm", "Địa chỉ", "Huyện/TX/TP", "Xã, phường, thị trấn", "Người đăng ký",
                 "Số điện thoại", "Mã địa điểm", "Ngày tạo"]
PORTAL_ROWS = [
    ["Chợ Hà Tĩnh", "Đường Hà Huy Tập", "Thành phố Hà Tĩnh", "Trần Phú", "Nguyễn Văn A", 912000001, "HT-001",
     "02/11/2021"],
    ["CHỢ NGHÈN", "", "Can Lộc", "Thị trấn Nghèn", "Trần Thị B", "0912000002", "HT-002", "03/11/2021"],
    ["Quán cà phê Sông La", "", "Đức Thọ", "Thị trấn Đức Thọ", "Lê C", "0912000003", "HT-003", "04/11/2021"],
    ["Siêu thị Hồng Lĩnh", "", "Thị xã Hồng Lĩnh", "Bắc Hồng", "Lê D", "0912000004", "HT-004", "05/11/2021"],
]


@pytest.fixture
def registry(db):
    load_divisions()
    return {
        "by_code": make_unit("Ban quản lý chợ thành phố", commune=18070, qr_location_code="HT-001",
                             qr_status="created"),
        "by_name": make_unit("Chợ Nghèn", commune=18406),
        "in_district": make_unit("Siêu thị Hồng Lĩnh", commune=18118, category="sieu_thi_ttm"),
        "unregistered": make_unit("Trường THCS Tân Lộc", commune=18409, category="truong_hoc"),
    }


def reconcile(user):
    batch = imports.start_import(uploaded_file=upload(PORTAL_ROWS, header=PORTAL_HEADER), by=user,
                                 kind=ImportBatch.Kind.PORTAL)
    imports.parse_import(batch)
    batch.refresh_from_db()
    return batch


def test_locations_match_by_code_then_name_in_commune_then_in_district(coordinator, registry):
    batch = reconcile(coordinator)

    rows = {row.row: (row.status, row.unit, row.confidence) for row in batch.rows.all()}
    assert rows == {
        4: ("matched", registry["by_code"], 100),
        5: ("matched", registry["by_name"], 90),
        6: ("missing", None, None),
        7: ("matched", registry["in_district"], 60),
    }


def test_the_three_lists(client, coordinator, registry):
    batch = reconcile(coordinator)
    client.force_login(coordinator)
    url = reverse("units:reconcile_detail", args=[batch.pk])

    matched = client.get(url, {"list": "matched"}).context["page"]
    unregistered = client.get(url, {"list": "unregistered"}).context["page"]
    missing = client.get(url, {"list": "missing"}).context["page"]

    assert [row.row for row in matched] == [4, 5, 7]
    assert [unit.name for unit in unregistered] == ["Trường THCS Tân Lộc"]
    assert [row.data["name"] for row in missing] == ["Quán cà phê Sông La"]


def test_accepting_a_match_records_the_code_and_status(client, coordinator, registry):
    batch = reconcile(coordinator)
    client.force_login(coordinator)
    row = batch.rows.get(row=5)

    client.post(reverse("units:reconcile_accept", args=[row.pk]))

    unit = Unit.objects.get(pk=registry["by_name"].pk)
    assert (unit.qr_location_code, unit.qr_status, unit.qr_created_on.isoformat()) == (
        "HT-002", "created", "2021-11-03")
    assert unit.history.first().history_user == coordinator
    row.refresh_from_db()
    assert row.status == ImportRow.Status.ACCEPTED


def test_a_portal_location_missing_from_the_registry_is_added_with_a_click(client, coordinator, registry):
    batch = reconcile(coordinator)
    client.force_login(coordinator)
    row = batch.rows.get(row=6)

    client.post(reverse("units:reconcile_add", args=[row.pk]))

    unit = Unit.objects.get(qr_location_code="HT-003")
    assert (unit.name, unit.commune.code, unit.category.code, unit.qr_status, unit.created_by) == (
        "Quán cà phê Sông La", 18229, "nha_hang_quan_an", "created", coordinator)  # its name's first words


def test_qr_coverage_per_district_and_category_adds_up(registry):
    table, total = reconciliation.qr_coverage(Unit.objects.all(), "district")

    assert table == [("Thành phố Hà Tĩnh", 1, 1, 100.0), ("Thị xã Hồng Lĩnh", 1, 0, 0.0),
                     ("Huyện Can Lộc", 1, 0, 0.0), ("Huyện Lộc Hà", 1, 0, 0.0)]
    assert total[1:] == (4, 1, 25.0)
    table, total = reconciliation.qr_coverage(Unit.objects.all(), "category")
    assert sum(row[1] for row in table) == total[1] == 4


def test_only_editors_reconcile(client, leadership, registry):
    batch = reconcile(leadership)
    client.force_login(leadership)

    assert client.get(reverse("units:reconcile_upload")).status_code == 403
    assert client.get(reverse("units:reconcile_detail", args=[batch.pk])).status_code == 403
    assert client.post(reverse("units:reconcile_accept", args=[batch.rows.first().pk])).status_code == 403
