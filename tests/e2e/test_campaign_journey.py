"""Issue #15, done when: the coordinator copies the 2021 campaign into a 2022 campaign,
imports a checklist from an XLSForm file, publishes it, assigns it, plans a visit; an
inspector answers it on the phone; the dashboard of 2022 counts it and 2021's does not."""

import re

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from accounts.roles import display_name
from inspections import targets
from inspections.models import Campaign, ChecklistTemplate, TeamMembership, Visit
from reports.dashboard import visit_figures
from tests.e2e.conftest import PHONE, assert_accessible, log_in
from units.models import Unit

pytestmark = pytest.mark.browser


def xlsform_file(path):
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Vietnamese (vi)", "label::English (en)", "required"])
    survey.append(["begin_group", "b", "Mã QR địa điểm", "Location QR codes"])
    survey.append(["select_one yes_no", "q1", "Đã niêm yết mã QR PC-Covid ở lối vào", "QR code posted", "yes"])
    survey.append(["integer", "q2", "Số lượt quét hôm qua", "Scans yesterday", "yes"])
    survey.append(["end_group", "b"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"])
    for name, vietnamese, english in (("yes", "Có", "Yes"), ("no", "Không", "No"), ("na", "Không áp dụng", "N/A")):
        choices.append(["yes_no", name, vietnamese, english])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "version"])
    settings.append(["Bảng kiểm mã QR năm 2022", "1"])
    book.save(path)
    return path


def test_a_2022_campaign_is_built_in_the_product_and_counted_on_its_own(demo, page, browser, tmp_path):
    demo_2021 = Campaign.objects.get()
    inspector = get_user_model().objects.get(username="thanhtra1")
    visited_2021 = visit_figures(demo_2021, inspector)["visited"]
    log_in(page, demo.url, "dieuphoi")

    # Copy 2021 into 2022: its bodies, teams and checklist come along, its dates do not.
    page.goto(f"{demo.url}/ke-hoach/")
    assert_accessible(page)
    page.get_by_role("link", name="Sao chép thành kế hoạch mới").first.click()
    page.locator("#id_number").fill("15/KH-STTTT")
    page.locator("#id_title").fill("Kiểm tra việc sử dụng mã QR năm 2022")
    page.locator("#id_legal_basis_number").fill("20/UBND-VX")
    page.locator("#id_legal_basis_date").fill("10/01/2022")
    page.locator("#id_starts_on").fill("01/03/2022")
    page.locator("#id_ends_on").fill("31/03/2022")
    page.locator("#id_nomination_deadline").fill("25/02/2022")
    assert_accessible(page)
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã tạo kế hoạch ở trạng thái đang soạn.").wait_for()
    campaign = Campaign.objects.get(number="15/KH-STTTT")
    assert campaign.teams.count() == demo_2021.teams.count()

    # Import the checklist from an XLSForm workbook, read the preview, create and publish it.
    page.goto(f"{demo.url}/bang-kiem/xlsform/")
    page.locator("#id_workbook").set_input_files(xlsform_file(tmp_path / "bang-kiem-2022.xlsx"))
    page.get_by_role("button", name="Đọc sổ tính").click()
    page.get_by_text("Câu hỏi q1: Có / Không / Không áp dụng.").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Tạo bảng kiểm nháp").click()
    page.get_by_text("Đã tạo bảng kiểm nháp từ sổ tính").wait_for()
    page.get_by_role("button", name="Phát hành").click()
    page.get_by_text("Bảng kiểm đã được phát hành").wait_for()
    assert_accessible(page)
    checklist = ChecklistTemplate.objects.get(name="Bảng kiểm mã QR năm 2022")

    # Give it to the 2022 campaign and start the campaign.
    page.goto(f"{demo.url}/ke-hoach/{campaign.pk}/sua/")
    page.locator("#id_checklist").select_option(label=str(checklist))
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu nội dung kế hoạch.").wait_for()
    page.get_by_role("button", name="Bắt đầu triển khai kế hoạch").click()
    page.get_by_text("Kế hoạch đang được triển khai.").wait_for()

    # A target (from the registry), then a day's itinerary with one visit, sent to the team.
    unit = Unit.objects.filter(is_sample=True, category__code="cho").order_by("pk").first()
    targets.add_targets(campaign=campaign, units=Unit.objects.filter(pk=unit.pk),
                        by=get_user_model().objects.get(username="dieuphoi"))
    membership = TeamMembership.objects.get(team__campaign=campaign, user=inspector)
    page.goto(f"{demo.url}/ke-hoach/{campaign.pk}/lich/moi/")
    page.get_by_label("Ngày").fill("08/03/2022")
    page.get_by_label("Giờ xuất phát").fill("07:30")
    page.get_by_label("Giờ về").fill("11:30")
    page.get_by_label("Xe", exact=True).select_option(index=1)
    page.get_by_label(f"{display_name(inspector)} — ").check()
    first = page.locator("fieldset").filter(has=page.get_by_label("Đơn vị", exact=True)).first
    first.get_by_label("Đơn vị", exact=True).select_option(value=str(unit.pk))
    first.get_by_label("Từ").fill("08:00")
    first.get_by_label("Đến").fill("09:30")
    page.get_by_role("button", name="Lưu").click()
    confirm = page.get_by_label("Tôi đã đọc các cảnh báo, vẫn lưu")
    if not re.search(r"/lich-trinh/\d+/$", page.url):  # the plan's team rule may warn: read, then confirm
        confirm.check()
        page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r"/lich-trinh/\d+/$"))
    page.get_by_role("button", name="Gửi lịch kiểm tra").click()
    page.get_by_text(re.compile(r"Đã gửi lịch kiểm tra cho \d+ người.")).wait_for()
    visit = Visit.objects.get(campaign=campaign)
    assert membership in visit.itinerary.people.all()

    # The inspector answers it on the phone, with the imported checklist.
    phone = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    log_in(phone, demo.url, "thanhtra1")
    phone.goto(f"{demo.url}/luot-kiem-tra/{visit.pk}/")
    phone.get_by_role("button", name="Bắt đầu kiểm tra").click()  # through the phone's outbox: no reload
    phone.locator("#checklist").wait_for()
    q1 = phone.locator("form.answer").filter(has_text="q1.")
    q1.get_by_text("Có", exact=True).click()
    q1.get_by_text("Đã lưu").wait_for()
    q2 = phone.locator("form.answer").filter(has_text="q2.")
    q2.get_by_role("textbox").first.fill("37")
    q2.get_by_role("textbox").first.blur()
    q2.get_by_text("Đã lưu").wait_for()
    phone.get_by_role("button", name="Nộp cho Tổ trưởng").click()
    phone.locator("#visit-status").get_by_text("Đã nộp", exact=True).wait_for()
    assert_accessible(phone)
    phone.context.close()
    visit.refresh_from_db()
    assert (visit.status, visit.checklist) == ("submitted", checklist)

    # 2022's dashboard counts the visit; 2021's does not.
    page.goto(f"{demo.url}/ke-hoach/{campaign.pk}/tong-hop/")
    assert_accessible(page)
    coordinator = get_user_model().objects.get(username="dieuphoi")
    assert visit_figures(campaign, coordinator)["visited"] == 1
    assert visit_figures(demo_2021, inspector)["visited"] == visited_2021
