import pytest

from tests.e2e.conftest import assert_accessible, log_in
from tests.units.workbook_builders import workbook_bytes

pytestmark = pytest.mark.browser

ROWS = [
    ["Chợ Hà Tĩnh", "Chợ", "Thành phố Hà Tĩnh", "Phường Trần Phú", "Đường Hà Huy Tập", 912345678, "QR-HT-1",
     "05/11/2021"],
    ["Trường THCS Nghèn", "Trường học", "Huyện Can Lộc", "Thị trấn Nghèn", "", "0239 3855 123", "", None],
    ["Nhà hàng Sông La", "Nhà hàng", "Đức Thọ", "Tân Lộc", "", "", "", None],
]


def test_the_coordinator_imports_a_workbook_then_finds_a_unit_without_diacritics(demo, page, tmp_path):
    workbook = tmp_path / "danh-sach-co-so.xlsx"
    workbook.write_bytes(workbook_bytes(ROWS))
    log_in(page, demo.url, "dieuphoi")

    menu = page.get_by_role("navigation", name="Điều hướng chính")
    menu.get_by_role("link", name="Danh mục đơn vị").click()
    page.get_by_role("link", name="Nhập từ Excel").click()
    assert_accessible(page)
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(workbook)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()

    # The preview: every row with what the import will do, the error in Vietnamese.
    page.get_by_role("button", name="Xác nhận nhập").wait_for()
    table = page.get_by_role("table").inner_text()
    assert "Chợ Hà Tĩnh" in table and "Trường THCS Nghèn" in table
    assert "không thuộc" in table
    assert_accessible(page)

    page.get_by_label("Chỉ nhập các dòng hợp lệ").check()
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.get_by_text("Đã nhập: 2 đơn vị mới").wait_for()

    menu.get_by_role("link", name="Danh mục đơn vị").click()
    page.get_by_label("Tìm kiếm").fill("cho ha tinh")
    page.get_by_role("button", name="Lọc").click()
    rows = page.get_by_role("table", name="Đơn vị", exact=True).locator("tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().startswith("Chợ Hà Tĩnh")
    assert_accessible(page)
    rows.first.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Chợ Hà Tĩnh")
    details = page.locator("main").inner_text()
    assert "0912345678" in details
    assert "Đã tạo mã QR · mã QR-HT-1 · tạo ngày 05/11/2021" in details
