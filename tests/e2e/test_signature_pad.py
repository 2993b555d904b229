"""The unit's representative signs on the inspector's phone: the pad draws, "Lưu chữ ký"
sends the drawing (here straight to the API, the page having no outbox), the page shows
it without reloading, and the visit holds one signature."""

import pytest

from inspections.models import Signature
from tests.e2e.conftest import PHONE, assert_accessible, log_in
from tests.e2e.test_qr_scan import started_visit  # noqa: F401 — the same started visit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_the_representative_signs_on_the_pad_and_the_visit_keeps_it(started_visit, demo, page):  # noqa: F811
    log_in(page, demo.url, "thanhtra1")
    page.goto(f"{demo.url}/luot-kiem-tra/{started_visit.pk}/")
    pad = page.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    page.get_by_label("Họ tên người ký").fill("Trần Văn Bình")
    page.get_by_role("button", name="Lưu chữ ký").click()
    page.get_by_text("Hãy ký vào khung trước").wait_for()  # an empty pad is not sent

    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + 25 * step, box["y"] + 120 - (60 if step % 2 else 0), steps=4)
    page.mouse.up()
    page.get_by_role("button", name="Lưu chữ ký").click()
    page.locator(".signature-status").get_by_text("Đã lưu chữ ký.").wait_for()

    signature = Signature.objects.get(visit=started_visit)
    assert (signature.role, signature.signer_name, signature.captured_by.username) == (
        "unit_representative", "Trần Văn Bình", "thanhtra1")
    shown = page.locator('[data-signature-role="unit_representative"] img.signature-image')
    assert shown.get_attribute("src") == f"/chu-ky/{signature.pk}/"
    assert_accessible(page)
