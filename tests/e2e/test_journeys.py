import re

import pytest

from tests.e2e.conftest import PHONE, assert_accessible, log_in

pytestmark = pytest.mark.browser

DEMO_HOMES = [
    # (account, role shown, a next step of that role's home page)
    ("admin", "Quản trị hệ thống", "Tạo tài khoản cho từng cán bộ"),
    ("dieuphoi", "Cán bộ Thanh tra Sở", "Thu thập văn bản cử cán bộ"),
    ("lanhdao", "Lãnh đạo Sở", "Phê duyệt báo cáo"),
    ("vanphong", "Văn phòng Sở", "bố trí xe"),
    ("totruong", "Tổ trưởng Tổ kiểm tra", "Thành viên Tổ kiểm tra số 1 (mẫu)"),
    ("thanhtra1", "Thành viên Tổ kiểm tra", "Tổ kiểm tra số 1"),
    ("thanhtra2", "Thành viên Tổ kiểm tra", "Tổ kiểm tra số 2"),
]


def test_the_login_page_is_vietnamese_and_accessible(demo, page):
    page.goto(f"{demo.url}/")

    assert page.url == f"{demo.url}/dang-nhap/?next=/"
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng nhập"
    assert_accessible(page)


@pytest.mark.parametrize(("username", "role", "next_step"), DEMO_HOMES)
def test_each_demo_account_lands_on_its_own_home_page(demo, page, username, role, next_step):
    log_in(page, demo.url, username)

    assert page.get_by_role("heading", level=1).inner_text().startswith("Xin chào,")
    assert role in page.locator(".user-badge").inner_text()
    assert next_step in page.locator("main").inner_text()
    assert_accessible(page)


def test_a_wrong_password_keeps_the_user_name_and_says_why(demo, page):
    page.goto(f"{demo.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("dieuphoi")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()

    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Tên đăng nhập").input_value() == "dieuphoi"
    assert_accessible(page)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
@pytest.mark.parametrize("username", ["thanhtra1", "dieuphoi", "admin"])
def test_the_home_page_fits_a_360_px_phone_without_sideways_scrolling(demo, page, username):
    log_in(page, demo.url, username)

    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths == [360, 360]
    # The menu folds behind a button reachable from the keyboard.
    toggler = page.get_by_role("button", name="Hiển thị menu")
    toggler.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Đăng xuất").wait_for(state="visible")
    assert_accessible(page)


def test_switching_to_english_and_back(demo, page):
    log_in(page, demo.url, "dieuphoi")

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", name="What to do next").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_selector("html[lang=vi]")
    assert page.get_by_role("heading", name="Việc cần làm tiếp theo").is_visible()


def test_signing_out_shows_the_logout_page(demo, page):
    log_in(page, demo.url, "lanhdao")

    page.get_by_role("button", name="Đăng xuất").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Bạn đã đăng xuất"
    page.goto(f"{demo.url}/")
    assert page.url == f"{demo.url}/dang-nhap/?next=/"


def test_the_follow_up_list_shows_the_overdue_unit_of_the_demo(demo, page):
    log_in(page, demo.url, "dieuphoi")

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Theo dõi, đôn đốc").click()
    page.get_by_role("link", name=re.compile("Quá hạn")).click()

    from inspections.models import FollowUp

    rows = page.get_by_role("table").locator("tbody tr")
    assert rows.count() == FollowUp.objects.filter(outcome="open").count() == 6  # every open one is past 2021
    assert rows.first.inner_text().startswith("Sở Nội vụ tỉnh Hà Tĩnh")
    assert_accessible(page)


def test_leadership_opens_the_results_dashboard_with_its_charts(demo, page):
    from inspections.models import Campaign

    log_in(page, demo.url, "lanhdao")
    page.goto(f"{demo.url}/ke-hoach/{Campaign.objects.get().pk}/tong-hop/")

    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 2")
    assert page.get_by_role("heading", name="Theo huyện").first.is_visible()
    assert_accessible(page)
