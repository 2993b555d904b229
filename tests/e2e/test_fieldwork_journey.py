import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from inspections import schedule
from inspections.models import Itinerary, Visit
from tests.e2e.conftest import PHONE, assert_accessible, log_in

pytestmark = pytest.mark.browser


def log_out(page):
    """On a phone the menu folds behind its button."""
    page.get_by_role("button", name="Hiển thị menu").click()
    page.get_by_role("button", name="Đăng xuất").click()


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_an_inspector_fills_a_visit_on_a_phone_and_the_leader_returns_then_approves(demo, page, tmp_path):
    # The demo's draft of 14/12/2021 is sent to team 1 first.
    itinerary = Itinerary.objects.get(date="2021-12-14")
    schedule.send_schedule(itinerary, by=get_user_model().objects.get(username="dieuphoi"))
    visit = itinerary.visits.get(unit__name="Chợ Phường Trần Phú")
    photo = tmp_path / "loi-vao.png"
    from PIL import Image

    Image.new("RGB", (2400, 1800), (120, 160, 200)).save(photo)

    log_in(page, demo.url, "thanhtra1")
    page.goto(f"{demo.url}/luot-kiem-tra/{visit.pk}/")
    page.get_by_role("button", name="Bắt đầu kiểm tra").click()  # no reload: through the phone's outbox
    page.get_by_role("button", name="Nộp cho Tổ trưởng").wait_for()
    page.locator("#visit-status").get_by_text("Đang kiểm tra", exact=True).wait_for()
    assert_accessible(page)

    def answer(code, label):
        item = page.locator("form.answer").filter(has_text=f"{code}.")
        item.get_by_text(label, exact=True).click()
        item.get_by_text("Đã lưu").wait_for()

    def fill(code, value):
        item = page.locator("form.answer").filter(has_text=f"{code}.")
        item.get_by_role("textbox").first.fill(value)
        item.get_by_role("textbox").first.blur()
        item.get_by_text("Đã lưu").wait_for()

    answer("a2", "Có")
    fill("a3", "85")
    answer("b1", "Có")
    page.reload()  # midway: what was entered is still there
    b1 = page.locator("form.answer").filter(has_text="b1.")
    expect(b1.get_by_role("radio", name="Có")).to_be_checked()
    expect(page.locator("form.answer").filter(has_text="a3.").get_by_role("textbox").first).to_have_value("85")
    answer("b2", "Không")  # "No" on "QR posted" requires a photo and marks non-compliance
    answer("b3", "Không")
    answer("b4", "Có")
    page.locator("input[type=file][name=photo]").set_input_files(photo)
    page.get_by_label("Cho nội dung").select_option(index=4)
    page.get_by_role("button", name="Thêm ảnh").click()
    page.locator("#photo-list li").first.wait_for()
    expect(page.locator("#photo-list li[data-seq]")).to_have_count(0)  # sent
    page.locator("#outbox-button").wait_for(state="hidden")
    page.get_by_label("Ý kiến của đơn vị được kiểm tra").fill("Đơn vị sẽ niêm yết lại mã QR")
    submit = page.get_by_role("button", name="Nộp cho Tổ trưởng")
    submit.dblclick()  # a double tap
    page.locator("#visit-status").get_by_text("Đã nộp", exact=True).wait_for()
    assert Visit.objects.get(pk=visit.pk).status == "submitted"
    assert Visit.history.filter(id=visit.pk, status="submitted").count() == 1
    log_out(page)

    log_in(page, demo.url, "totruong")
    page.goto(f"{demo.url}/luot-kiem-tra/{visit.pk}/")
    page.get_by_role("button", name="Trả lại cho Tổ").click()
    page.get_by_text("Ghi rõ nội dung cần sửa.").wait_for()  # a return needs a comment
    page.get_by_label("Nội dung cần sửa").fill("Ghi rõ số điểm kiểm soát ra vào")
    page.get_by_role("button", name="Trả lại cho Tổ").click()
    page.get_by_text("Đã trả lại lượt kiểm tra cho Tổ.").wait_for()
    log_out(page)

    log_in(page, demo.url, "thanhtra1")
    page.goto(f"{demo.url}/luot-kiem-tra/{visit.pk}/")
    assert "Ghi rõ số điểm kiểm soát ra vào" in page.get_by_role("alert").inner_text()
    fill("b6", "2")
    page.get_by_role("button", name="Nộp cho Tổ trưởng").click()
    page.locator("#visit-status").get_by_text("Đã nộp", exact=True).wait_for()
    log_out(page)

    log_in(page, demo.url, "totruong")
    page.goto(f"{demo.url}/luot-kiem-tra/{visit.pk}/")
    page.get_by_role("button", name="Phê duyệt").click()
    page.get_by_text("Đã duyệt và khóa lượt kiểm tra.").wait_for()
    assert_accessible(page)
    assert Visit.objects.get(pk=visit.pk).status == "approved"
    with page.expect_download() as download:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = ''; "
                      "document.body.appendChild(a); a.click(); }", f"/luot-kiem-tra/{visit.pk}/bien-ban.pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_an_answer_given_while_offline_is_saved_when_the_connection_returns(demo, page):
    visit = Visit.objects.get(unit__name="Chợ Thị trấn Nghèn")  # in progress in the demo, team 2
    log_in(page, demo.url, "thanhtra2")
    page.goto(f"{demo.url}/luot-kiem-tra/{visit.pk}/")
    b4 = page.locator("form.answer").filter(has_text="b4.")

    page.context.set_offline(True)
    b4.get_by_text("Không", exact=True).click()
    b4.get_by_text("Chờ gửi").wait_for()
    page.get_by_role("button", name="1 mục chờ gửi").wait_for()
    assert visit.answers.get(item__code="b4").value == "yes"
    page.console_errors.clear()  # the failed request is logged by the browser, as expected

    page.context.set_offline(False)
    page.locator("form.answer").filter(has_text="b4.").get_by_text("Đã lưu").wait_for(timeout=15000)
    assert visit.answers.get(item__code="b4").value == "no"
    page.console_errors.clear()
