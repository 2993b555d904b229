import re

import pytest

from inspections.models import Campaign, Itinerary
from tests.e2e.conftest import PHONE, assert_accessible, log_in

pytestmark = pytest.mark.browser


def log_out(page):
    page.get_by_role("button", name="Đăng xuất").click()


def test_the_coordinator_plans_and_sends_a_day_that_only_its_people_see(demo, page, browser):
    campaign = Campaign.objects.get()
    log_in(page, demo.url, "dieuphoi")

    # Draw more targets: strata are district × category, the seed is kept.
    page.goto(f"{demo.url}/ke-hoach/{campaign.pk}/doi-tuong/")
    page.get_by_label("Hạt giống ngẫu nhiên").fill("7")
    page.get_by_label("Số đơn vị mỗi nhóm").fill("1")
    page.get_by_role("button", name="Chọn mẫu").click()
    page.get_by_text(re.compile(r"hạt giống 7, \d+ đơn vị")).wait_for()
    assert_accessible(page)

    # An itinerary for 17/12/2021 with a vehicle, the Department of Health's and Can Lộc's VHTT representatives.
    page.goto(f"{demo.url}/ke-hoach/{campaign.pk}/lich/moi/")
    page.get_by_label("Ngày").fill("17/12/2021")
    page.get_by_label("Giờ xuất phát").fill("07:30")
    page.get_by_label("Giờ về").fill("11:30")
    page.get_by_label("Xe", exact=True).select_option(label="38A-000.02 (mẫu) (4)")
    page.get_by_label("Thành viên Tổ kiểm tra số 2 (mẫu) — Sở Y tế").check()
    page.get_by_label("Đại diện Phòng VHTT Huyện Can Lộc (mẫu)").check()
    first = page.locator("fieldset").filter(has=page.get_by_label("Đơn vị", exact=True)).first
    first.get_by_label("Đơn vị", exact=True).select_option(label="Trường Trung học cơ sở Thị trấn Nghèn")
    first.get_by_label("Từ").fill("08:00")
    first.get_by_label("Đến").fill("09:30")
    assert_accessible(page)
    page.get_by_role("button", name="Lưu").click()
    # Neither a DIC member nor a team leader travels: the plan's team rule warns (plan III.1), and
    # the coordinator confirms after reading it.
    page.get_by_text("Lịch trình không có thành viên của Sở (Thanh tra Sở hoặc Phòng CNTT).").wait_for()
    page.get_by_text("Lịch trình không có Tổ trưởng.").wait_for()
    assert_accessible(page)
    page.get_by_label("Tôi đã đọc các cảnh báo, vẫn lưu").check()
    page.get_by_role("button", name="Lưu").click()

    page.wait_for_url(re.compile(r"/lich-trinh/\d+/$"))
    assert "17/12/2021" in page.get_by_role("heading", level=1).inner_text()
    assert "Trường Trung học cơ sở Thị trấn Nghèn" in page.locator("main").inner_text()
    page.get_by_role("button", name="Gửi lịch kiểm tra").click()
    page.get_by_text("Đã gửi lịch kiểm tra cho 2 người.").wait_for()
    assert_accessible(page)
    itinerary = Itinerary.objects.get(date="2021-12-17")
    log_out(page)

    # The Department of Health's representative sees that day, on a phone.
    phone = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    log_in(phone, demo.url, "thanhtra2")
    phone.goto(f"{demo.url}/ke-hoach/{campaign.pk}/lich/")
    days = phone.locator("article h2").all_inner_texts()
    assert [day for day in days if "17/12/2021" in day] != []
    assert not [day for day in days if "07/12/2021" in day]  # another team's day
    phone.get_by_role("link").filter(has_text="17/12/2021").click()
    assert "Trường Trung học cơ sở Thị trấn Nghèn" in phone.locator("main").inner_text()
    assert_accessible(phone)
    phone.context.close()

    # An inspector of the other team sees nothing of it, not even that it exists.
    log_in(page, demo.url, "thanhtra1")
    page.goto(f"{demo.url}/ke-hoach/{campaign.pk}/lich/")
    assert "17/12/2021" not in page.locator("main").inner_text()
    response = page.goto(f"{demo.url}/lich-trinh/{itinerary.pk}/")
    assert response.status == 404
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    page.console_errors.clear()
