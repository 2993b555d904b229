"""The minutes of a visit ("BIÊN BẢN KIỂM TRA"): Decree 30 layout, the team and the
unit, the answers by criterion, the conclusion, both signatures, the draft mark."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pdfplumber
import pytest
from django.utils import timezone

from inspections import fieldtools, fieldwork, vocabulary
from inspections.models import ChecklistItem, Visit
from reports.documents import LOCAL_TIMEZONE, minutes_pdf, vietnamese_number
from tests.inspections.test_fieldtools import drawing
from tests.inspections.test_fieldwork import answer_all, build
from tests.reports.test_documents import assert_only_embedded_tinos, pdf_text

HEADER_LINES = ["UBND TỈNH HÀ TĨNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
CRITERIA = ["a) Công tác chỉ đạo cài đặt ứng dụng PC-Covid, tạo mã QR",
            "b) Tạo, niêm yết mã QR địa điểm và quét mã QR",
            "c) Sử dụng phần mềm quanly.pccovid.gov.vn"]


def squeezed(text: str) -> str:
    return "".join(text.split())


def hanoi(hour, minute=0, day=7):
    return datetime.datetime(2021, 12, day, hour, minute, tzinfo=LOCAL_TIMEZONE)


@dataclass
class Photo:
    taken_at: datetime.datetime | None
    sha256: str
    original_name: str


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    leader = world["leader"]
    leader.first_name, leader.last_name = "Nguyễn Văn", "Hùng"
    leader.save()
    return world


def carry_out(world, name="committee", overrides=None, *, statement="Đơn vị thống nhất với kết quả kiểm tra."):
    """Start the visit at 08h05 on 07/12/2021, answer everything, submit at 09h40."""
    visit = fieldwork.start_visit(world[name], by=world["member"])
    Visit.objects.filter(pk=visit.pk).update(started_at=hanoi(8, 5))
    answer_all(visit, world["member"], overrides)
    a1 = ChecklistItem.objects.get(code="a1")
    if vocabulary.applicable_items(visit).filter(pk=a1.pk).exists():
        fieldwork.save_answer(visit, item=a1, raw="yes", note="Công văn số 125/UBND ngày 15/11/2021",
                              by=world["member"])
    Visit.objects.filter(pk=visit.pk).update(
        unit_statement=statement, shortcomings="Chưa bố trí người hướng dẫn quét mã QR.",
        recommendations="Bố trí người hướng dẫn tại lối vào.", staff_total=50, staff_with_app=40, qr_codes=2,
        scans_last_7_days=1234, portal_accounts=1, figures_taken_at=hanoi(8, 30))
    fieldwork.submit_visit(visit, by=world["member"], key="k1")
    Visit.objects.filter(pk=visit.pk).update(submitted_at=hanoi(9, 40))
    return Visit.objects.get(pk=visit.pk)


def test_the_minutes_have_the_decree_30_layout_and_the_visit(world, tmp_path):
    visit = carry_out(world, overrides={"b4": "no"})
    assert visit.conclusion["overall"] == "dat_mot_phan"

    pdf = minutes_pdf(visit)

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for expected in [
        *HEADER_LINES, "/BB-STTTT", "Hà Tĩnh, ngày 07 tháng 12 năm 2021",
        "BIÊN BẢN KIỂM TRA",
        "Việc triển khai hệ thống PC-Covid và quét mã QR phục vụ công tác phòng, chống dịch COVID-19",
        "Căn cứ Văn bản số 7641/UBND-VX ngày 12/11/2021;",
        "Căn cứ Kế hoạch số", "/KH-STTTT của Sở Thông tin và Truyền thông tỉnh Hà Tĩnh",
        "Hôm nay, vào hồi 08h05 ngày 07 tháng 12 năm 2021, tại UBND Huyện Can Lộc "
        "(địa chỉ: Thị trấn Nghèn, Huyện Can Lộc)",
        "I. THÀNH PHẦN", "1. Tổ kiểm tra", "Nguyễn Văn Hùng — Sở Y tế (Tổ trưởng);", "Member1 — Sở Y tế (Thành viên).",
        "2. Đơn vị được kiểm tra: UBND Huyện Can Lộc",
        "II. NỘI DUNG, KẾT QUẢ KIỂM TRA", *CRITERIA,
        "Đánh giá tiêu chí a): Đạt.", "Đánh giá tiêu chí b): Đạt một phần.",
        "Đánh giá tiêu chí c): Đạt.",
        "Tổng số cán bộ, nhân viên: 50;", "Số cán bộ, nhân viên đã cài đặt ứng dụng PC-Covid: 40 (đạt 80%);",
        "Số lượt quét mã QR trong 07 ngày gần nhất: 1.234;", "Thời điểm số liệu: 08h30 ngày 07/12/2021.",
        "III. KẾT LUẬN", "1. Kết luận chung: Đạt một phần.",
        "Chưa bố trí người hướng dẫn quét mã QR.", "Bố trí người hướng dẫn tại lối vào.",
        "IV. Ý KIẾN CỦA ĐƠN VỊ ĐƯỢC KIỂM TRA", "Đơn vị thống nhất với kết quả kiểm tra.",
        "Biên bản kết thúc vào hồi 09h40 cùng ngày", "mỗi bên giữ 01 bản./.",
        "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA", "TỔ TRƯỞNG TỔ KIỂM TRA",
    ]:
        assert expected in text, expected
    # An answer of each kind in its row (yes/no, percentage, number), a note after its answer.
    # Compared without spaces: a cell's text wraps in its column ("PC-" / "Covid").
    rows = squeezed(text)
    for row in ["a1Đơnvịđãbanhànhvănbảnchỉđạo,tuyêntruyềntriểnkhaicàiđặtPC-Covid,khaibáoytế,tạovàquétmãQR"
                "CóCôngvănsố125/UBNDngày15/11/2021a2",
                "a2Đãquántriệt,phổbiếncàiđặtứngdụngPC-Covidtrongcơquan,đơnvịCóa3",
                "càiđặtPC-Covid(%)80%",
                "b4Cóngườihướngdẫn,nhắcnhởngườiđếngiaodịchquétmãQRKhôngb5",
                "b6SốlượtquétmãQRngàyhômtrước12"]:
        assert row in rows, row
    # The criteria in order, then the conclusion, then the signatures with the leader's name under them.
    positions = [text.index(part) for part in [*CRITERIA, "III. KẾT LUẬN", "IV. Ý KIẾN", "TỔ TRƯỞNG TỔ KIỂM TRA"]]
    assert positions == sorted(positions)
    assert "Nguyễn Văn Hùng" in text[text.index("TỔ TRƯỞNG TỔ KIỂM TRA"):]
    # Mẫu 1.9: "Nơi nhận" under the signatures; the secretary's line, to fill in (no secretary on the team).
    closing = text[text.index("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"):]
    assert "Nơi nhận: - Đơn vị được kiểm tra; - Tổ kiểm tra; - Lưu: VT, Hồ sơ." in closing
    assert "3. Thư ký (người ghi biên bản) - ……" in text
    assert "THƯ KÝ" in closing
    assert_only_embedded_tinos(pdf, tmp_path)


def test_the_draft_mark_is_printed_until_the_leader_approves(world, tmp_path):
    visit = carry_out(world, name="market")

    draft = pdf_text(minutes_pdf(visit), tmp_path)
    assert "DỰ THẢO" in draft
    # The market is judged on criteria a and b; c does not apply to it.
    assert "Nội dung này không áp dụng đối với loại hình đơn vị được kiểm tra." in draft

    fieldwork.approve_visit(visit, by=world["leader"])
    visit.refresh_from_db()
    pdf = minutes_pdf(visit)

    final = pdf_text(pdf, tmp_path)
    assert "DỰ THẢO" not in final
    assert "BIÊN BẢN KIỂM TRA" in final
    assert "1. Kết luận chung: Đạt." in final
    assert_only_embedded_tinos(pdf, tmp_path)


def test_a_visit_in_progress_shows_the_conclusion_so_far_and_blanks_to_fill_by_hand(world, tmp_path):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    Visit.objects.filter(pk=visit.pk).update(started_at=hanoi(1, 30, day=7) - datetime.timedelta(hours=2))
    answer_all(visit, world["member"], {"a2": "no", "a3": "30", "b1": "no", "b2": "no"})
    visit.refresh_from_db()

    with timezone.override("UTC"):
        text = pdf_text(minutes_pdf(visit), tmp_path)

    # 23h30 on the 6th in Hà Tĩnh, whatever the active timezone (UTC: 16h30).
    assert "Hà Tĩnh, ngày 06 tháng 12 năm 2021" in text
    assert "vào hồi 23h30 ngày 06 tháng 12 năm 2021" in text
    assert "1. Kết luận chung: Chưa đạt." in text
    assert "DỰ THẢO" in text
    # No representative recorded, no figures, no statement, not yet ended: lines to fill in.
    assert "- Đại diện: ……" in text
    assert "Đơn vị chưa cung cấp số liệu." in text
    assert "Biên bản kết thúc vào hồi …… giờ …… cùng ngày" in text
    assert "Tài liệu kèm theo" not in text


def test_the_units_representative_signs_on_the_left(world, tmp_path):
    unit = world["committee"].unit
    unit.representative_name, unit.representative_title = "Trần Thị Lan", "Chánh Văn phòng HĐND và UBND huyện"
    unit.save()
    visit = carry_out(world)

    text = pdf_text(minutes_pdf(visit), tmp_path)

    assert "- Đại diện: Trần Thị Lan — Chánh Văn phòng HĐND và UBND huyện." in text
    signatures = text[text.index("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"):]
    assert signatures.index("Trần Thị Lan") < signatures.index("Nguyễn Văn Hùng")


def test_a_conclusion_the_team_changed_prints_with_its_reason(world, tmp_path):
    visit = carry_out(world, overrides={"b4": "no"})
    Visit.objects.filter(pk=visit.pk).update(
        conclusion={**visit.conclusion, "overall": "dat"},
        conclusion_override_reason="Đơn vị đã bố trí người hướng dẫn ngay trong buổi kiểm tra")
    visit.refresh_from_db()

    text = pdf_text(minutes_pdf(visit), tmp_path)

    assert ("1. Kết luận chung: Đạt. Tổ kiểm tra điều chỉnh kết luận tính từ bảng kiểm, lý do: "
            "Đơn vị đã bố trí người hướng dẫn ngay trong buổi kiểm tra.") in text


def test_the_evidence_is_listed_with_its_time_its_source_its_place_and_hash(world, tmp_path):
    visit = carry_out(world, name="market")
    photos = [SimpleNamespace(taken_at=hanoi(8, 20), taken_at_source="exif", latitude=Decimal("18.39"),
                              longitude=Decimal("105.9"), original_name="IMG_0001.jpg",
                              sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
              SimpleNamespace(taken_at=hanoi(8, 40), taken_at_source="capture", latitude=None, longitude=None,
                              original_name="IMG_0004.jpg",
                              sha256="2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"),
              # Neither the photo nor the phone said when: the upload time, said to be so.
              SimpleNamespace(taken_at=hanoi(9, 1), taken_at_source="upload", uploaded_at=hanoi(9, 1),
                              original_name="IMG_0002.jpg",
                              sha256="60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"),
              Photo(None, "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13", "IMG_0003.jpg")]

    pdf = minutes_pdf(visit, evidence=photos)

    text = pdf_text(pdf, tmp_path)
    assert "Tài liệu kèm theo: 04 ảnh minh chứng" in text
    assert "1. IMG_0001.jpg, chụp lúc 08h20 ngày 07/12/2021 (theo ảnh), tọa độ 18.39000, 105.90000;" in text
    assert "2. IMG_0004.jpg, chụp lúc 08h40 ngày 07/12/2021;" in text
    assert "3. IMG_0002.jpg, tải lên lúc 09h01 ngày 07/12/2021;" in text
    assert "4. IMG_0003.jpg, không rõ thời điểm chụp;" in text
    for photo in photos:
        assert f"SHA-256: {photo.sha256}" in text
    assert text.index("IV. Ý KIẾN") < text.index("Tài liệu kèm theo") < text.index("Biên bản kết thúc")
    assert_only_embedded_tinos(pdf, tmp_path)


@pytest.mark.parametrize(("value", "expected"), [(12, "12"), (1234, "1.234"), (72.5, "72,5"), (80.0, "80"),
                                                 (1234567, "1.234.567")])
def test_numbers_take_vietnamese_separators(value, expected):
    assert vietnamese_number(value) == expected


def test_a_visit_short_of_compliance_lists_its_corrections_with_deadlines_and_dashes_unanswered_items(world, tmp_path):
    visit = fieldwork.start_visit(world["committee"], by=world["member"])
    Visit.objects.filter(pk=visit.pk).update(started_at=hanoi(8, 5))
    answer_all(visit, world["member"], {"b4": "no", "c4": None})
    fieldwork.require_correction(visit, description="Bố trí người hướng dẫn quét mã QR tại lối vào",
                                 deadline=datetime.date(2021, 12, 14), by=world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="k2")
    Visit.objects.filter(pk=visit.pk).update(submitted_at=hanoi(9, 40))
    visit = Visit.objects.get(pk=visit.pk)

    text = pdf_text(minutes_pdf(visit), tmp_path)

    conclusion = text[text.index("III. KẾT LUẬN"):text.index("IV. Ý KIẾN")]
    # Nothing typed under "Tồn tại": the criterion short of compliance and the answer that makes it so.
    assert ("2. Tồn tại, hạn chế: - Tiêu chí b) Tạo, niêm yết mã QR địa điểm và quét mã QR: đạt một phần "
            "(b4 Có người hướng dẫn, nhắc nhở người đến giao dịch quét mã QR: Không).") in conclusion
    assert ("3. Kiến nghị: Tổ kiểm tra yêu cầu đơn vị khắc phục: - Bố trí người hướng dẫn quét mã QR tại lối vào; "
            "thời hạn: trước ngày 14 tháng 12 năm 2021.") in conclusion
    assert "không." not in conclusion
    # The visit's own times: started 08h05, submitted (the end of the meeting) 09h40.
    assert "vào hồi 08h05 ngày 07 tháng 12 năm 2021" in text and "kết thúc vào hồi 09h40" in text
    assert "Chưa trả lời" not in text
    assert squeezed("c4 Ghi chú khác về việc sử dụng phần mềm —") in squeezed(text)


def test_each_signature_is_printed_above_its_signer_s_name(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])  # signed at the end of the meeting
    fieldtools.save_signature(visit, role="unit_representative", signer_name="Trần Văn Bình",
                              image_file=drawing(), by=world["member"])
    fieldtools.save_signature(visit, role="team_leader", signer_name="Nguyễn Văn Hùng", image_file=drawing(),
                              by=world["member"])

    with pdfplumber.open(io.BytesIO(minutes_pdf(visit))) as document:
        page = next(page for page in document.pages if page.images)
        images, words = page.images, page.extract_words()

    assert len(images) == 2
    for surname in ("Bình", "Hùng"):
        word = next(word for word in words if word["text"] == surname)
        centre = (word["x0"] + word["x1"]) / 2
        above = [image for image in images if image["x0"] <= centre <= image["x1"] and image["bottom"] <= word["top"]]
        assert len(above) == 1, surname
        assert word["top"] - above[0]["bottom"] < 80  # in the signing space (28 mm) just above the name


def test_the_minutes_print_the_code_read_at_the_door_and_a_transcription_from_paper(world, tmp_path):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    fieldtools.record_qr_scan(visit, code="HT18406-0099", method="camera", by=world["member"])
    b1 = ChecklistItem.objects.get(code="b1")
    fieldtools.transcribe_paper(visit, entries=[(b1, "yes", "")], by=world["leader"])
    visit.refresh_from_db()

    text = squeezed(pdf_text(minutes_pdf(visit), tmp_path))

    assert squeezed("- Mã QR niêm yết tại cửa: Mã của địa điểm khác: HT18406-0099 (sổ đăng ký chưa có mã của đơn vị "
                    "này) (mã đọc được: HT18406-0099;") in text
    assert squeezed("Nội dung kiểm tra được nhập từ phiếu kiểm tra giấy bởi Nguyễn Văn Hùng lúc") in text
