"""A whole visit without a network, on a 360 px phone, its photo and signature included (issue #12, docs/offline.md).

The phone reaches the live server through a forwarder that this test cuts and restores:
a real loss of the network for the page and for its service worker alike (Chromium's
offline emulation alone does not reach a service worker). The page's context is also
put offline, so that the browser says so, as a phone without a signal does."""

import random
import socket
import threading
from contextlib import suppress

import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import expect

from inspections import fieldwork, schedule, vocabulary
from inspections.models import Answer, Evidence, Itinerary, Signature, Visit
from tests.e2e.conftest import PHONE, assert_accessible, log_in

pytestmark = pytest.mark.browser


class Link:
    """127.0.0.1:port → the live server, byte for byte; `cut()` drops every connection and
    refuses new ones (the browser sees a network error), `restore()` lets them through."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.up = True
        self.sockets = set()
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        with suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        for end in (source, sink):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        with self.lock:
            self.sockets -= {source, sink}

    def cut(self):
        self.up = False
        with self.lock:
            for end in list(self.sockets):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self.sockets.clear()

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.server.close()


@pytest.fixture
def link(demo):
    host, port = demo.url.removeprefix("http://").split(":")
    forwarder = Link(host, int(port))
    yield forwarder
    forwarder.close()


@pytest.fixture
def day():
    """The demo's itinerary of 14/12/2021, sent to team 1; its first visit, for thanhtra1."""
    itinerary = Itinerary.objects.get(date="2021-12-14")
    schedule.send_schedule(itinerary, by=get_user_model().objects.get(username="dieuphoi"))
    visit = itinerary.visits.get(unit__name="Chợ Phường Trần Phú")
    return itinerary, visit


NETWORK_ERRORS = ("net::ERR_",)  # no network, a connection cut mid-way: not the server's answers


def only_network_errors(page, *expected):
    """Chromium logs each request that found no network (and each refusal `expected`);
    nothing else may be logged."""
    page.console_errors[:] = [error for error in page.console_errors
                              if not any(code in error for code in NETWORK_ERRORS + expected)]


def network(page, link, up: bool):
    if up:
        link.restore()
        page.context.set_offline(False)
    else:
        page.context.set_offline(True)
        link.cut()


def keep_the_day(page, link, itinerary):
    """Online: the itinerary opened, the worker in control, the day's visits kept."""
    page.goto(f"{link.url}/lich-trinh/{itinerary.pk}/")
    page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.locator("#kept-note").wait_for()
    assert "Đã lưu trên điện thoại" in page.locator("#kept-note").inner_text()


def photo_file(tmp_path):
    path = tmp_path / "ma-qr-loi-vao.jpg"
    Image.new("RGB", (1600, 1200), (30, 90, 160)).save(path, quality=80)
    return path


def fill_the_visit(page, visit, photo, between=lambda: None):
    """Start, answer every item, figures, statement, a photo, submit — calling `between`
    after each step (to cut or restore the network at that point)."""
    page.get_by_role("button", name="Bắt đầu kiểm tra").click()
    page.locator("#checklist").wait_for()
    between()
    items = list(vocabulary.applicable_items(visit))
    for item in items:
        form = page.locator(f"#item-{item.pk}")
        if item.kind == "yes_no":
            form.get_by_text("Có", exact=True).click()
        elif item.kind in ("number", "percentage"):
            form.locator("[name=value]").fill("85")
            form.locator("[name=value]").blur()
        elif item.kind == "choice":
            form.locator("select[name=value]").select_option(index=1)
        elif item.kind != "photo":
            form.locator("[name=value]").fill("Có hướng dẫn tại cổng")
            form.locator("[name=value]").blur()
        between()
    b3 = page.locator("#item-" + str(next(i.pk for i in items if i.code == "b3")))
    # "Có" on b3 needs a photo: said at once, beside the answer.
    assert b3.locator(".photo-needed").is_visible()
    figures = {"Số cán bộ, nhân viên": "20", "Số người đã cài PC-Covid": "17", "Số mã QR địa điểm": "2",
               "Số lượt quét trong 7 ngày qua": "150", "Số tài khoản quản lý": "1"}
    for label, value in figures.items():
        page.get_by_label(label, exact=True).fill(value)
    between()
    page.get_by_label("Tồn tại, hạn chế").fill("Chưa hướng dẫn người không có điện thoại thông minh")
    page.get_by_label("Ý kiến của đơn vị được kiểm tra").fill("Đơn vị sẽ bố trí người hướng dẫn")
    page.get_by_label("Kiến nghị").fill("Bố trí người hướng dẫn khai báo")
    between()
    page.locator("form.evidence input[type=file]").set_input_files(photo)
    page.locator("form.evidence select[name=item]").select_option(value=str(b3.get_attribute("data-item")))
    page.locator("form.evidence").get_by_role("button", name="Thêm ảnh").click()
    page.locator("#photo-list li").first.wait_for()
    assert not b3.locator(".photo-needed").is_visible()
    between()
    sign(page, "Trần Văn Bình")
    between()
    page.get_by_role("button", name="Nộp cho Tổ trưởng").click()
    return items


def sign(page, name):
    """The unit's representative signs on the pad; the signature waits with the rest."""
    pad = page.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + 25 * step, box["y"] + 120 - (60 if step % 2 else 0), steps=4)
    page.mouse.up()
    page.get_by_label("Họ tên người ký").fill(name)
    page.get_by_role("button", name="Lưu chữ ký").click()
    page.locator(".signature-status").get_by_text("Đã giữ chữ ký trên điện thoại").wait_for()


def wait_until_sent(page):
    page.locator("#outbox-button").wait_for(state="hidden", timeout=60_000)


def assert_one_submission(visit, items, user):
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.submitted_by == user
    assert visit.history.filter(status=Visit.Status.SUBMITTED).count() == 1
    answers = {answer.item.code: answer.value for answer in Answer.objects.filter(visit=visit).select_related("item")}
    assert set(answers) == {item.code for item in items if item.kind != "photo"}
    assert all(Answer.objects.get(visit=visit, item=item).history.count() == 1
               for item in items if item.kind != "photo")
    assert (visit.staff_total, visit.staff_with_app, visit.qr_codes, visit.scans_last_7_days,
            visit.portal_accounts) == (20, 17, 2, 150, 1)
    assert visit.shortcomings == "Chưa hướng dẫn người không có điện thoại thông minh"
    assert visit.recommendations == "Bố trí người hướng dẫn khai báo"
    signature = Signature.objects.get(visit=visit)
    assert (signature.role, signature.signer_name, signature.captured_by) == (
        "unit_representative", "Trần Văn Bình", user)
    photos = Evidence.objects.filter(visit=visit)
    assert [photo.item.code for photo in photos] == ["b3"]
    assert visit.started_at is not None and visit.conclusion


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_a_whole_visit_offline_is_sent_once_when_the_network_returns(demo, link, day, page, tmp_path):
    itinerary, visit = day
    inspector = get_user_model().objects.get(username="thanhtra1")
    log_in(page, link.url, "thanhtra1")
    keep_the_day(page, link, itinerary)

    network(page, link, up=False)
    page.get_by_role("link", name=visit.unit.name, exact=True).click()
    page.get_by_role("heading", name=visit.unit.name).wait_for()
    items = fill_the_visit(page, visit, photo_file(tmp_path))
    page.locator("#visit-status").get_by_text("Đã nộp (chờ gửi)").wait_for()
    waiting = page.locator("#outbox-button").inner_text()
    assert waiting.endswith("mục chờ gửi") and int(waiting.split()[0]) >= len(items)
    assert Visit.objects.get(pk=visit.pk).status != Visit.Status.SUBMITTED  # nothing reached the server

    page.reload()  # offline: the kept page, with what waits on the phone put back
    page.locator("#outbox-button").wait_for()
    assert page.locator("#outbox-button").inner_text() == waiting
    expect(page.get_by_label("Số người đã cài PC-Covid", exact=True)).to_have_value("17")
    expect(page.get_by_label("Kiến nghị")).to_have_value("Bố trí người hướng dẫn khai báo")
    assert page.locator("#photo-list li img").count() == 1
    page.locator("#outbox-button").click()
    assert page.locator("#outbox-list li").first.get_by_text("chờ gửi").is_visible()
    assert_accessible(page)

    network(page, link, up=True)
    wait_until_sent(page)
    page.get_by_text("Đã gửi hết.").wait_for()
    assert_one_submission(visit, items, inspector)
    only_network_errors(page)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_the_network_dropping_at_random_points_gives_the_same_server_state(demo, link, day, page, tmp_path):
    itinerary, visit = day
    inspector = get_user_model().objects.get(username="thanhtra1")
    log_in(page, link.url, "thanhtra1")
    keep_the_day(page, link, itinerary)
    chance = random.Random(2021)  # noqa: S311 (a seeded chance of cutting the network, not a secret)
    state = {"up": True}

    def between():
        if chance.random() < 0.4:
            state["up"] = not state["up"]
            network(page, link, up=state["up"])

    page.get_by_role("link", name=visit.unit.name, exact=True).click()
    items = fill_the_visit(page, visit, photo_file(tmp_path), between)
    if chance.random() < 0.5:
        page.reload()
    network(page, link, up=True)
    wait_until_sent(page)
    page.locator("#visit-status").get_by_text("Đã nộp", exact=True).wait_for()
    assert_one_submission(visit, items, inspector)
    only_network_errors(page)


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_an_answer_changed_offline_on_a_visit_approved_meanwhile_is_a_conflict(demo, link, day, page):
    itinerary, visit = day
    inspector = get_user_model().objects.get(username="thanhtra1")
    leader = next(m.user for m in itinerary.people.select_related("user") if m.position == "leader")
    fieldwork.start_visit(visit, by=inspector)
    for item in vocabulary.applicable_items(visit):
        if item.kind == "yes_no":
            fieldwork.save_answer(visit, item=item, raw="yes" if item.code != "b3" else "no", by=inspector)
        elif item.kind in ("number", "percentage"):
            fieldwork.save_answer(visit, item=item, raw="90", by=inspector)
        elif item.kind != "photo":
            fieldwork.save_answer(visit, item=item, raw="có", by=inspector)
    log_in(page, link.url, "thanhtra1")
    keep_the_day(page, link, itinerary)
    page.get_by_role("link", name=visit.unit.name, exact=True).click()
    page.get_by_role("heading", name=visit.unit.name).wait_for()

    network(page, link, up=False)
    b1 = page.locator("form.answer").filter(has_text="b1.")
    b1.get_by_text("Không", exact=True).click()
    b1.get_by_text("Chờ gửi").wait_for()
    fieldwork.submit_visit(visit, by=inspector, key="k")
    fieldwork.approve_visit(visit, by=leader)  # meanwhile, the leader approved it

    network(page, link, up=True)
    page.locator("#outbox-list li.outbox-conflict").wait_for(timeout=60_000)
    entry = page.locator("#outbox-list li.outbox-conflict")
    assert "Đã duyệt" in entry.inner_text()  # the server's state beside the phone's answer
    assert "Không" in entry.inner_text()
    assert Answer.objects.get(visit=visit, item__code="b1").value == "yes"  # nothing overwritten
    assert_accessible(page)
    entry.get_by_role("button", name="Bỏ").click()
    page.locator("#outbox-button").wait_for(state="hidden")
    assert Answer.objects.get(visit=visit, item__code="b1").value == "yes"
    only_network_errors(page, "status of 409")


def test_opening_the_route_sheet_again_soon_does_not_fetch_the_kept_visits_again(demo, link, day, page):
    """Each fetch of a visit page is a view in the visit's log: the day's pages kept a moment
    ago are not fetched again (opened online, a page is fresh anyway)."""
    from inspections.models import VisitViewLog

    itinerary, visit = day
    log_in(page, link.url, "thanhtra1")
    keep_the_day(page, link, itinerary)
    page.wait_for_timeout(500)
    opened = VisitViewLog.objects.filter(visit=visit, opened=VisitViewLog.Opened.VISIT_PAGE).count()
    assert opened >= 1  # the page was kept (fetched once)

    for _again in range(2):
        page.reload()
        page.locator("#kept-note").wait_for()
        assert "Đã lưu trên điện thoại" in page.locator("#kept-note").inner_text()
    page.wait_for_timeout(500)
    assert VisitViewLog.objects.filter(visit=visit, opened=VisitViewLog.Opened.VISIT_PAGE).count() == opened
