"""Leadership's results journey: the dashboard, drilled from a district down to one
visit, then the report to the People's Committee downloaded with its annex."""

import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.e2e.conftest import PHONE, assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_the_leader_drills_from_a_district_to_a_visit_and_downloads_the_report(demo, page):
    from inspections.models import Campaign

    log_in(page, demo.url, "lanhdao")
    page.goto(f"{demo.url}/ke-hoach/{Campaign.objects.get().pk}/tong-hop/")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 2")
    assert_accessible(page)

    area = page.get_by_role("table", name="Huyện/thị xã/thành phố")
    area.get_by_role("link", name="Thị xã Hồng Lĩnh").click()
    page.get_by_role("heading", name="Theo xã, phường, thị trấn của Thị xã Hồng Lĩnh").wait_for()
    assert page.get_by_role("navigation", name="Vị trí đang xem").inner_text().split() == [
        "Toàn", "tỉnh", "Thị", "xã", "Hồng", "Lĩnh"]
    page.get_by_role("table", name="Xã, phường, thị trấn").get_by_role("link", name="Phường Bắc Hồng").click()
    page.get_by_role("heading", name="Theo đơn vị tại Phường Bắc Hồng").wait_for()
    assert_accessible(page)
    units = page.get_by_role("table", name="Đơn vị", exact=True)
    assert units.locator("tbody tr").count() == 3
    units.get_by_role("link", name="Chợ Phường Bắc Hồng").click()

    page.get_by_role("heading", name="Các lượt kiểm tra tạo nên số liệu").wait_for()
    assert_accessible(page)
    page.get_by_role("table").get_by_role("link", name="Chợ Phường Bắc Hồng").click()
    page.wait_for_url(re.compile(r"/luot-kiem-tra/\d+/$"))
    assert "Chợ Phường Bắc Hồng" in page.get_by_role("heading", level=1).inner_text()
    assert "Chưa đạt" in page.content()

    page.go_back()  # to the list of visits, under the campaign's tabs
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_role("link", name="31/12/2021").click()
    page.get_by_role("heading", name=re.compile("Báo cáo kết quả kiểm tra")).wait_for()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải báo cáo (Word)").click()
    assert download.value.suggested_filename == "bao-cao-ket-qua-kiem-tra-20211231.docx"
    document = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    assert "Kính gửi: Ủy ban nhân dân tỉnh Hà Tĩnh" in [paragraph.text for paragraph in document.paragraphs]
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải phụ lục (Excel)").click()
    workbook = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    listed = workbook["Danh sách lượt"]
    assert "Chợ Phường Bắc Hồng" in [row[2].value for row in listed.iter_rows(min_row=5)]


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_the_dashboard_fits_a_phone(demo, page):
    from inspections.models import Campaign

    log_in(page, demo.url, "lanhdao")
    page.goto(f"{demo.url}/ke-hoach/{Campaign.objects.get().pk}/tong-hop/")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
