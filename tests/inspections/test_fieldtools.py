"""The field tools (inspections/fieldtools.py): signatures for the minutes, the location
QR code read at the door against the registry, the paper checklist's code and its
transcription; each with its page part, view, scope (404) and role (403)."""

import hashlib
import io
import re
import subprocess

import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image, ImageDraw

from inspections import fieldtools, fieldwork
from inspections.models import ChecklistItem, QrScan, Signature, Visit, VisitViewLog
from reports.documents import paper_checklist_pdf
from tests.conftest import require_tool
from tests.factories import make_unit
from tests.inspections.test_fieldwork import answer_all, build
from tests.reports.test_documents import assert_only_embedded_tinos
from units.models import Unit


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    world["visit"] = fieldwork.start_visit(world["market"], by=world["member"])
    return world


def drawing(name="chu-ky.png", *, blank=False, size=(600, 200)):
    """A signature as the pad sends it: strokes on a transparent PNG."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line([(40, 150), (200, 40), (330, 160), (560, 60)], fill=(11, 31, 102, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def paper_photo():
    """A photo of a signature on paper (JPEG, no transparency)."""
    image = Image.new("RGB", (1600, 900), (245, 245, 240))
    ImageDraw.Draw(image).line([(100, 700), (700, 200), (1500, 650)], fill=(20, 20, 60), width=14)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return SimpleUploadedFile("giay.jpg", buffer.getvalue(), content_type="image/jpeg")


# ----------------------------------------------------------------------------------------
# Signatures
# ----------------------------------------------------------------------------------------


def test_a_signature_is_kept_as_png_with_its_hash_one_per_role(world):
    visit, member = world["visit"], world["member"]

    signature = fieldtools.save_signature(visit, role="unit_representative", signer_name="  Trần   Văn Bình ",
                                          image_file=drawing(), by=member)

    stored = signature.image.read()
    assert Image.open(io.BytesIO(stored)).format == "PNG"
    assert signature.sha256 == hashlib.sha256(stored).hexdigest()
    assert (signature.signer_name, signature.width, signature.height, signature.captured_by) == (
        "Trần Văn Bình", 600, 200, member)


def test_a_second_signature_replaces_the_first_whose_file_stays_in_the_history(world):
    visit, member = world["visit"], world["member"]
    first = fieldtools.save_signature(visit, role="team_leader", signer_name="Nguyễn Văn Hùng",
                                      image_file=drawing(), by=member)
    first_file = first.image.name

    second = fieldtools.save_signature(visit, role="team_leader", signer_name="Nguyễn Văn Hùng",
                                       image_file=paper_photo(), by=member)

    assert Signature.objects.filter(visit=visit).count() == 1
    assert second.pk == first.pk and second.image.name != first_file
    assert [record.image for record in second.history.order_by("history_date")] == [first_file, second.image.name]
    assert second.image.storage.exists(first_file)
    assert Image.open(second.image).mode == "L"  # a photo of paper: grey levels


@pytest.mark.parametrize("status", ["submitted", "approved", "cancelled"])
def test_no_signature_once_the_visit_is_submitted_approved_or_cancelled(world, status):
    visit = world["visit"]
    Visit.objects.filter(pk=visit.pk).update(status=status)

    with translation.override("vi"), pytest.raises(ValidationError) as error:
        fieldtools.save_signature(visit, role="team_leader", signer_name="A", image_file=drawing(), by=world["member"])

    assert not Signature.objects.exists()
    if status == "approved":
        assert error.value.messages == [
            "Lượt kiểm tra đã được duyệt và khóa: chỉ thay đổi bằng điều chỉnh có nêu lý do."]


@pytest.mark.parametrize(("changes", "message"), [
    ({"image_file": "blank"}, "The signature is empty: sign in the box first."),
    ({"role": "secretary"}, "Say who signs: the unit's representative or the team leader."),
    ({"signer_name": "  "}, "Write the signer's full name."),
    ({"image_file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
     "The signature is not an image (a drawing or a photo of it)."),
])
def test_a_signature_that_cannot_be_kept_is_refused_with_its_reason(world, changes, message):
    arguments = {"role": "team_leader", "signer_name": "Nguyễn Văn Hùng", "image_file": drawing(), **changes}
    if arguments["image_file"] == "blank":
        arguments["image_file"] = drawing(blank=True)

    with translation.override("en"), pytest.raises(ValidationError) as error:
        fieldtools.save_signature(world["visit"], by=world["member"], **arguments)

    assert error.value.messages == [message]
    assert not Signature.objects.exists()


def test_the_page_shows_the_pad_and_saves_a_photo_of_a_signature_without_javascript(client, world):
    visit = world["visit"]
    client.force_login(world["member"])

    with translation.override("vi"):
        page = client.get(reverse("inspections:visit_detail", args=[visit.pk])).content.decode()
        response = client.post(reverse("inspections:signature_save", args=[visit.pk]), {
            "role": "unit_representative", "signer_name": "Trần Văn Bình", "image": paper_photo()})
        after = client.get(response["Location"]).content.decode()

    assert response["Location"].endswith("#signatures")
    assert 'class="signature-pad border rounded w-100"' in page
    assert re.findall(r"<button[^>]*>([^<]+)</button>", page[page.index('id="signatures"'):]).count("Xóa") == 1
    assert "Lưu chữ ký" in page and "Chưa ký" in page
    signature = Signature.objects.get()
    assert (signature.role, signature.signer_name) == ("unit_representative", "Trần Văn Bình")
    assert "Đã lưu chữ ký." in after
    assert reverse("inspections:signature_file", args=[signature.pk]) in after


def test_signatures_are_taken_by_the_people_on_the_visit_and_served_to_those_who_see_it(client, world):
    visit = world["visit"]
    url = reverse("inspections:signature_save", args=[visit.pk])
    body = {"role": "team_leader", "signer_name": "A"}
    signature = fieldtools.save_signature(visit, role="team_leader", signer_name="Nguyễn Văn Hùng",
                                          image_file=drawing(), by=world["member"])
    file_url = reverse("inspections:signature_file", args=[signature.pk])

    client.force_login(world["outsider"])
    assert client.post(url, {**body, "image": drawing()}).status_code == 404
    assert client.get(file_url).status_code == 404
    client.force_login(world["coordinator"])
    assert client.post(url, {**body, "image": drawing()}).status_code == 403
    response = client.get(file_url)  # the Inspectorate sees the visit, and so its minutes' signatures
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == signature.sha256
    assert Signature.objects.get().signer_name == "Nguyễn Văn Hùng"


# ----------------------------------------------------------------------------------------
# The QR code at the door
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("read", "result"), [
    ("HT18406-0007", "match"),
    (" ht18406-0007\n", "match"),  # case and spaces as a reader may give them
    ("https://qr.pccovid.gov.vn/dia-diem/HT18406-0007", "match"),
    ("https://qr.pccovid.gov.vn/checkin?code=HT18406-0007", "match"),
    ("HT18406-0099", "other_code"),  # the registry's form of a portal code, another place
    ("QR-CHO-THACH-HA", "other_code"),  # another unit's code in the registry
    ("https://qr.pccovid.gov.vn/dia-diem/XYZ", "other_code"),
    ("https://example.com/menu", "not_pccovid"),
    ("WIFI:S:cho-nghen;T:WPA;P:12345678;;", "not_pccovid"),
])
def test_a_code_read_is_the_unit_s_another_place_s_or_not_pccovid(world, read, result):
    unit = world["visit"].unit
    unit.qr_location_code = "HT18406-0007"
    unit.save()
    make_unit("Chợ Thạch Hà", commune=18406, category="cho", qr_location_code="QR-CHO-THACH-HA")

    assert fieldtools.qr_result(unit, read) == result


def test_a_scan_keeps_what_was_read_and_the_registry_s_code_then(world):
    visit = world["visit"]
    Unit.objects.filter(pk=visit.unit_id).update(qr_location_code="HT18406-0007")

    scan = fieldtools.record_qr_scan(visit, code="HT18406-0007", method="camera", by=world["member"])
    other = fieldtools.record_qr_scan(visit, code="HT18406-0099", method="typed", by=world["member"])

    assert (scan.result, scan.registry_code, scan.method, scan.scanned_by) == (
        "match", "HT18406-0007", "camera", world["member"])
    with translation.override("vi"):
        assert fieldtools.qr_scan_in_words(scan) == "Khớp mã của đơn vị trong sổ đăng ký"
        assert fieldtools.qr_scan_in_words(other) == "Mã của địa điểm khác: HT18406-0099"


def test_a_unit_without_a_code_in_the_registry_says_so(world):
    scan = fieldtools.record_qr_scan(world["visit"], code="HT18406-0007", method="typed", by=world["member"])
    odd = fieldtools.record_qr_scan(world["visit"], code="xin chào", method="typed", by=world["member"])

    with translation.override("vi"):
        assert fieldtools.qr_scan_in_words(scan) == ("Mã của địa điểm khác: HT18406-0007 "
                                                     "(sổ đăng ký chưa có mã của đơn vị này)")
        assert fieldtools.qr_scan_in_words(odd) == "Không phải mã PC-Covid"


@pytest.mark.parametrize(("code", "method"), [("", "typed"), ("x" * 513, "typed"), ("a\x00b", "typed"),
                                              ("HT18406-0007", "telepathy")])
def test_a_code_that_cannot_be_a_reading_is_refused(world, code, method):
    with pytest.raises(ValidationError):
        fieldtools.record_qr_scan(world["visit"], code=code, method=method, by=world["member"])
    assert not QrScan.objects.exists()


def test_no_scan_is_recorded_on_a_locked_visit(world):
    Visit.objects.filter(pk=world["visit"].pk).update(status="approved")

    with pytest.raises(ValidationError):
        fieldtools.record_qr_scan(world["visit"], code="HT18406-0007", method="typed", by=world["member"])


def test_the_page_records_a_typed_code_and_shows_the_result_in_words(client, world):
    visit = world["visit"]
    Unit.objects.filter(pk=visit.unit_id).update(qr_location_code="HT18406-0007")
    client.force_login(world["member"])

    with translation.override("vi"):
        page = client.get(reverse("inspections:visit_detail", args=[visit.pk])).content.decode()
        response = client.post(reverse("inspections:qr_scan_save", args=[visit.pk]), {"code": "HT18406-0007"})
        after = client.get(response["Location"]).content.decode()

    assert "Quét mã QR tại cửa" in page
    assert page.index('id="qr-scan"') < page.index('id="figures"')
    assert QrScan.objects.get().method == "typed"
    assert "<strong>Khớp mã của đơn vị trong sổ đăng ký</strong>" in after


def test_codes_are_recorded_by_the_people_on_the_visit(client, world):
    url = reverse("inspections:qr_scan_save", args=[world["visit"].pk])
    client.force_login(world["outsider"])
    assert client.post(url, {"code": "HT18406-0007"}).status_code == 404
    client.force_login(world["coordinator"])
    assert client.post(url, {"code": "HT18406-0007"}).status_code == 403
    assert not QrScan.objects.exists()


# ----------------------------------------------------------------------------------------
# The paper fallback
# ----------------------------------------------------------------------------------------


def test_the_visit_s_code_leads_back_to_it_and_cannot_be_made_up_for_another(world):
    visit, other = world["visit"], world["committee"]
    code = fieldtools.visit_code(visit)

    assert re.fullmatch(rf"KT-{visit.pk}-[A-Z2-7]{{8}}", code)
    assert fieldtools.visit_pk_from_code(code) == visit.pk
    assert fieldtools.visit_pk_from_code(f" {code.lower().replace('-', ' ')} ") == visit.pk
    forged = f"KT-{other.pk}-{code.rsplit('-', 1)[1]}"
    assert fieldtools.visit_pk_from_code(forged) is None
    assert fieldtools.visit_pk_from_code("KT-1") is None


def test_the_printed_checklist_carries_the_visit_s_code_as_a_qr_code(world, tmp_path):
    require_tool("pdftoppm", "poppler-utils")
    visit = world["visit"]
    pdf = tmp_path / "phieu.pdf"
    pdf.write_bytes(paper_checklist_pdf(visit))
    assert_only_embedded_tinos(pdf.read_bytes(), tmp_path)  # the boxes are drawn, not glyphs Tinos lacks

    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    codes = zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("page*.png"))))

    assert [(code.format, code.text) for code in codes] == [(zxingcpp.BarcodeFormat.QRCode,
                                                             fieldtools.visit_code(visit))]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "PHIẾU KIỂM TRA" in text and "Chợ Nghèn" in text
    assert text.count("Không áp dụng") == ChecklistItem.objects.filter(
        code__in=["a2", "b1", "b2", "b3", "b4", "b5"], kind="yes_no").count()


def test_the_paper_checklist_is_printed_for_those_who_see_the_visit_and_logged(client, world):
    visit = world["visit"]
    url = reverse("reports:visit_paper_checklist", args=[visit.pk])
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(world["member"])

    response = client.get(url)

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    assert VisitViewLog.objects.filter(visit=visit, opened="paper_checklist").count() == 1


def test_a_typed_code_leads_to_the_transcription_and_a_wrong_one_says_so(client, world):
    visit = world["visit"]
    client.force_login(world["member"])
    start = reverse("inspections:transcribe_start")

    with translation.override("vi"):
        wrong = client.post(start, {"code": "KT-1-AAAAAAAA"}).content.decode()
        right = client.post(start, {"code": fieldtools.visit_code(visit).lower()})

    assert "“KT-1-AAAAAAAA” không phải mã của phiếu kiểm tra giấy" in wrong
    assert right["Location"] == reverse("inspections:transcribe_visit", args=[visit.pk])
    client.force_login(world["outsider"])
    assert client.post(start, {"code": fieldtools.visit_code(visit)}).status_code == 404
    assert client.get(right["Location"]).status_code == 404
    client.force_login(world["coordinator"])
    assert client.get(right["Location"]).status_code == 403


def test_answers_typed_from_paper_are_saved_and_the_visit_says_who_transcribed_them(client, world):
    visit = world["committee"]  # the phone never started it
    items = {item.code: item for item in ChecklistItem.objects.filter(code__in=["a1", "b1", "b6"])}
    client.force_login(world["member"])
    url = reverse("inspections:transcribe_visit", args=[visit.pk])

    with translation.override("vi"):
        refused = client.post(url, {f"value-{items['b6'].pk}": "nhiều", f"value-{items['b1'].pk}": "yes",
                                    f"note-{items['b1'].pk}": "Có tờ rơi"}).content.decode()
        assert Visit.objects.get(pk=visit.pk).status == "scheduled"  # nothing saved
        assert "“nhiều” không phải là số." in refused and 'value="nhiều"' in refused and "Có tờ rơi" in refused
        response = client.post(url, {f"value-{items['b6'].pk}": "12", f"value-{items['b1'].pk}": "yes",
                                     f"note-{items['b1'].pk}": "Có tờ rơi", f"value-{items['a1'].pk}": "",
                                     "started_time": "08:10"})
        page = client.get(response["Location"]).content.decode()

    visit.refresh_from_db()
    assert {a.item.code: (a.value, a.note) for a in visit.answers.select_related("item")} == {
        "b1": ("yes", "Có tờ rơi"), "b6": (12, "")}
    assert (visit.status, visit.transcribed_by, visit.started_at.astimezone().strftime("%d/%m/%Y %H:%M")) == (
        "in_progress", world["member"], "07/12/2021 08:10")
    assert "Nhập từ phiếu giấy bởi Member1 lúc " in page


def test_a_submitted_visit_is_not_transcribed(client, world):
    visit = world["visit"]
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="k")
    client.force_login(world["member"])
    b1 = ChecklistItem.objects.get(code="b1")

    client.post(reverse("inspections:transcribe_visit", args=[visit.pk]), {f"value-{b1.pk}": "no"})

    visit.refresh_from_db()
    assert (visit.answers.get(item=b1).value, visit.transcribed_at) == ("yes", None)


# ----------------------------------------------------------------------------------------
# Who opens what: scope first (404), then the role (403)
# ----------------------------------------------------------------------------------------

PAGES = {  # page → {who: status}
    "transcribe_start": {"member": 200, "leader": 200, "coordinator": 200, "outsider": 200, "anonymous": 302},
    "transcribe_visit": {"member": 200, "leader": 200, "coordinator": 403, "outsider": 404, "anonymous": 302},
    "paper_checklist": {"member": 200, "leader": 200, "coordinator": 200, "outsider": 404, "anonymous": 302},
    "signature_file": {"member": 200, "leader": 200, "coordinator": 200, "outsider": 404, "anonymous": 302},
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["member", "leader", "coordinator", "outsider", "anonymous"])
def test_the_field_tools_pages_permission_matrix(client, world, page, who):
    visit = world["visit"]
    signature = fieldtools.save_signature(visit, role="team_leader", signer_name="Nguyễn Văn Hùng",
                                          image_file=drawing(), by=world["member"])
    url = {"transcribe_start": reverse("inspections:transcribe_start"),
           "transcribe_visit": reverse("inspections:transcribe_visit", args=[visit.pk]),
           "paper_checklist": reverse("reports:visit_paper_checklist", args=[visit.pk]),
           "signature_file": reverse("inspections:signature_file", args=[signature.pk])}[page]
    if who != "anonymous":
        client.force_login(world[who])

    assert client.get(url).status_code == PAGES[page][who]


def test_the_paper_checklist_and_its_entry_are_reached_from_the_itinerary_and_the_inspector_s_home(client, world):
    visit = world["visit"]
    client.force_login(world["member"])

    home = client.get(reverse("home")).content.decode()
    route = client.get(reverse("inspections:itinerary_detail", args=[visit.itinerary_id])).content.decode()

    entry = reverse("inspections:transcribe_start")
    assert f'href="{entry}"' in home and f'href="{entry}"' in route
    for stop in visit.itinerary.visits.all():
        assert f'href="{reverse("reports:visit_paper_checklist", args=[stop.pk])}"' in route
