"""The inspector scans the location QR code posted at the unit's door with the phone's
camera: Chromium's fake camera plays a video made here that shows a QR code, the page
decodes it (BarcodeDetector where Chromium has one, else jsQR) and the visit records
the code read and whether it is the unit's in the registry."""

import io

import pytest
import segno
from django.contrib.auth import get_user_model
from PIL import Image

from inspections import fieldtools, fieldwork, schedule
from inspections.models import Itinerary, QrScan
from tests.conftest import require_tool
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, assert_accessible, log_in
from units.models import Unit

pytestmark = pytest.mark.browser

WIDTH, HEIGHT, FRAMES = 640, 480, 10


def y4m_showing(text: str, path) -> None:
    """A Y4M video (4:2:0) of a white frame with the QR code of `text` in the middle, as
    Chromium's --use-file-for-fake-video-capture reads it: a header, then per frame the
    Y plane and the subsampled Cb and Cr planes."""
    qr = segno.make_qr(text, error="m")
    picture = Image.new("RGB", (WIDTH, HEIGHT), "white")
    code = Image.open(qr_png(qr)).convert("RGB").resize((360, 360), Image.NEAREST)
    picture.paste(code, ((WIDTH - 360) // 2, (HEIGHT - 360) // 2))
    luma, blue, red = picture.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = luma.tobytes() + blue.resize(half, Image.BILINEAR).tobytes() + red.resize(half, Image.BILINEAR).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(FRAMES):
            video.write(b"FRAME\n" + planes)


def qr_png(qr):
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=10, border=4)
    buffer.seek(0)
    return buffer


@pytest.fixture
def started_visit(demo):
    """The demo's visit at Chợ Phường Trần Phú, its schedule sent and the visit started by
    its inspector; the registry knows the market's portal code."""
    itinerary = Itinerary.objects.get(date="2021-12-14")
    schedule.send_schedule(itinerary, by=get_user_model().objects.get(username="dieuphoi"))
    visit = itinerary.visits.get(unit__name="Chợ Phường Trần Phú")
    fieldwork.start_visit(visit, by=get_user_model().objects.get(username="thanhtra1"))
    Unit.objects.filter(pk=visit.unit_id).update(qr_location_code="HT18070-0001")
    return visit


def camera_page(browser, tmp_path, video_text, request):
    """A phone-sized tab of a Chromium of its own (launched by the session's Playwright, as
    tests/e2e/conftest.py launches one) whose camera shows `video_text`'s QR code."""
    require_tool(CHROMIUM, "chromium")
    video = tmp_path / "cua-ra-vao.y4m"
    y4m_showing(video_text, video)
    camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    context = camera.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def close():
        context.close()
        camera.close()
    request.addfinalizer(close)
    return page, errors


@pytest.mark.parametrize(("shown", "words", "result"), [
    ("HT18070-0001", "Khớp mã của đơn vị trong sổ đăng ký", "match"),
    ("HT18070-0002", "Mã của địa điểm khác: HT18070-0002", "other_code"),  # another place's portal code
])
def test_the_camera_reads_the_code_at_the_door_and_the_visit_records_it(started_visit, demo, browser, tmp_path,
                                                                         request, shown, words, result):
    page, errors = camera_page(browser, tmp_path, shown, request)
    log_in(page, demo.url, "thanhtra1")
    page.goto(f"{demo.url}/luot-kiem-tra/{started_visit.pk}/")

    page.get_by_role("button", name="Quét mã QR tại cửa").click()
    page.locator(".qr-status").get_by_text(words).wait_for(timeout=20_000)

    scan = QrScan.objects.get(visit=started_visit)
    assert (scan.code_read, scan.result, scan.method, scan.scanned_by.username) == (shown, result, "camera",
                                                                                     "thanhtra1")
    assert page.locator(".qr-camera").is_hidden()  # the camera is let go once a code is read
    page.reload()
    assert words in page.locator("#qr-scan").inner_text()
    assert_accessible(page)
    assert errors == []


def test_the_paper_checklist_s_code_scanned_opens_its_transcription(started_visit, demo, browser, tmp_path,
                                                                    request):
    """The same camera reads the code printed on the paper checklist (static/js/qrscan.js,
    "fill" mode): the transcription of its visit opens, and what is typed in marks it."""
    page, errors = camera_page(browser, tmp_path, fieldtools.visit_code(started_visit), request)
    log_in(page, demo.url, "thanhtra1")
    page.goto(f"{demo.url}/")
    page.get_by_role("link", name="Nhập phiếu giấy").click()
    assert_accessible(page)

    page.get_by_role("button", name="Quét mã của phiếu giấy").click()
    page.wait_for_url(f"**/luot-kiem-tra/{started_visit.pk}/nhap-phieu-giay/", timeout=20_000)
    assert_accessible(page)
    page.locator("fieldset").filter(has_text="b1.").get_by_label("Có", exact=True).check()
    page.get_by_role("button", name="Lưu các câu trả lời").click()
    page.get_by_text("Đã lưu 1 câu trả lời từ phiếu giấy.").wait_for()

    assert page.locator(".transcribed").inner_text().startswith("Nhập từ phiếu giấy bởi")
    started_visit.refresh_from_db()
    assert (started_visit.transcribed_by.username, started_visit.answers.get(item__code="b1").value) == (
        "thanhtra1", "yes")
    assert errors == []
