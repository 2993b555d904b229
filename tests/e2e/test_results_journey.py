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


def test_the_coordinator_drafts_a_report_and_the_leader_approves_it(demo, page, browser):
    from inspections.models import Campaign
    from reports.models import ProvincialReport

    campaign = Campaign.objects.get()
    log_in(page, demo.url, "dieuphoi")
    page.goto(f"{demo.url}/ke-hoach/{campaign.pk}/bao-cao/")
    page.get_by_label("Số liệu tính đến ngày").fill("31/11/2021")  # no such day: said, nothing saved
    page.get_by_role("button", name="Soạn báo cáo").click()
    assert page.get_by_label("Số liệu tính đến ngày").input_value() == "31/11/2021"
    assert ProvincialReport.objects.count() == 1  # the demo's draft only
    assert_accessible(page)
    page.get_by_label("Số liệu tính đến ngày").fill("15/12/2021")
    page.get_by_role("button", name="Soạn báo cáo").click()
    page.get_by_text("Đã soạn báo cáo: số liệu được chốt tại thời điểm này.").wait_for()
    page.get_by_label("Ưu điểm").fill("Các sở, ngành đã niêm yết mã QR tại lối vào.")
    page.get_by_role("button", name="Lưu nội dung").click()
    page.get_by_text("Đã lưu nội dung báo cáo.").wait_for()
    assert_accessible(page)
    report = ProvincialReport.objects.get(as_of="2021-12-15")
    assert report.strengths == "Các sở, ngành đã niêm yết mã QR tại lối vào."

    leader = browser.new_context(locale="en-US").new_page()
    log_in(leader, demo.url, "lanhdao")
    leader.get_by_role("link", name="Báo cáo kết quả kiểm tra — số liệu tính đến ngày 15/12/2021").click()
    leader.get_by_label("Tôi xác nhận: duyệt báo cáo; số liệu và nội dung sẽ không thay đổi được nữa").check()
    leader.get_by_role("button", name="Duyệt báo cáo").click()
    leader.get_by_text("Đã duyệt báo cáo: số liệu và nội dung được giữ nguyên từ nay.").wait_for()
    assert leader.get_by_role("button", name="Duyệt báo cáo").count() == 0
    assert_accessible(leader)
    leader.context.close()
    report.refresh_from_db()
    assert report.status == "approved"


def test_an_analyst_exports_the_raw_data(demo, page):
    from inspections.models import Campaign, Visit

    log_in(page, demo.url, "lanhdao")
    page.goto(f"{demo.url}/ke-hoach/{Campaign.objects.get().pk}/tong-hop/")
    page.get_by_role("button", name="Dữ liệu thô để phân tích (Excel)").click()
    page.get_by_role("link", name="Tải tệp Excel (.xlsx)").wait_for()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp Excel (.xlsx)").click()
    workbook = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    visits = workbook[workbook.sheetnames[0]]
    assert visits.max_row - 1 == Visit.objects.count()
