"""Documents in the Decree 30/2020/NĐ-CP layout: the date line, the schedule notice,
and the font: every glyph comes from the embedded Tinos, none from a fallback face."""

import datetime
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.templatetags.static import static
from django.utils import timezone

from accounts.roles import Role
from inspections import schedule
from inspections.models import Campaign, Organization, TeamMembership, Vehicle
from inspections.schedule import PlannedVisit
from reports.documents import (
    DocumentHeader,
    SignatureBlock,
    StaticFilesFetcher,
    legal_basis_lines,
    recipient_lines,
    render_pdf,
    schedule_notice_pdf,
    vietnamese_date_line,
)
from tests.conftest import require_tool
from tests.factories import make_organization, make_team, make_unit, make_user
from units.models import Division
from units.services import load_divisions

DAY = datetime.date(2021, 12, 7)
VIETNAMESE_SAMPLE = "ẮẰẲẴẶ ắằẳẵặ ỨỪỬỮỰ ứừửữự Đđ"

@pytest.mark.parametrize(("day", "expected"), [
    (datetime.date(2021, 12, 5), "Hà Tĩnh, ngày 05 tháng 12 năm 2021"),
    (datetime.date(2021, 11, 15), "Hà Tĩnh, ngày 15 tháng 11 năm 2021"),
    (datetime.date(2022, 1, 3), "Hà Tĩnh, ngày 03 tháng 01 năm 2022"),
    (datetime.date(2022, 2, 28), "Hà Tĩnh, ngày 28 tháng 02 năm 2022"),
    (datetime.date(2021, 10, 10), "Hà Tĩnh, ngày 10 tháng 10 năm 2021"),
    (datetime.date(2022, 3, 9), "Hà Tĩnh, ngày 09 tháng 3 năm 2022"),
])
def test_the_date_line_pads_days_below_10_and_only_months_1_and_2(day, expected):
    assert vietnamese_date_line("Hà Tĩnh", day) == expected


def test_the_number_is_left_blank_for_the_records_office():
    assert DocumentHeader(type_code="TB").number_line == "Số:       /TB-STTTT"
    assert DocumentHeader(type_code="TB", number="5").number_line == "Số: 05/TB-STTTT"
    assert DocumentHeader(unit_code="TTr", number="12").number_line == "Số: 12/STTTT-TTr"


def test_the_header_bodies_and_issuer_code_come_from_settings(settings):
    settings.DOCUMENT_ISSUER_CODE = "STTTT-HT"
    header = DocumentHeader(type_code="KH", day=datetime.date(2021, 11, 20))

    assert (header.governing_body, header.issuing_body) == ("UBND TỈNH HÀ TĨNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
    assert header.number_line.endswith("/KH-STTTT-HT")
    assert header.date_line == "Hà Tĩnh, ngày 20 tháng 11 năm 2021"


def test_recipients_and_legal_basis_end_with_semicolons_and_a_full_stop():
    assert recipient_lines(["Như trên", "Lãnh đạo Sở (b/c);", "Lưu: VT, TTr"]) == [
        "- Như trên;", "- Lãnh đạo Sở (b/c);", "- Lưu: VT, TTr."]
    assert legal_basis_lines(["Văn bản số 7641/UBND-VX ngày 12/11/2021\n", "Căn cứ Kế hoạch số 01/KH-STTTT."]) == [
        "Căn cứ Văn bản số 7641/UBND-VX ngày 12/11/2021;", "Căn cứ Kế hoạch số 01/KH-STTTT."]
    assert SignatureBlock().lines == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]


# ----------------------------------------------------------------------------------------
# PDF helpers
# ----------------------------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text in content order, whitespace collapsed (a wrapped table cell reads as one line)."""
    require_tool("pdftotext", "poppler-utils")
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                          check=True, capture_output=True, text=True).stdout
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(name, embedded) for every font `pdffonts` lists."""
    require_tool("pdffonts", "poppler-utils")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = []
    for line in output.splitlines()[2:]:  # a header line and a rule line
        tokens = line.split()
        # name … type … encoding emb sub uni object-number generation
        fonts.append((tokens[0], tokens[-5]))
    return fonts


def assert_only_embedded_tinos(pdf: bytes, tmp_path: Path) -> None:
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts, "pdffonts listed no font"
    for name, embedded in fonts:
        assert "Tinos" in name, f"{name} is not Tinos: a glyph fell back to another font"
        assert embedded == "yes", f"{name} is not embedded"


# ----------------------------------------------------------------------------------------
# The schedule notice
# ----------------------------------------------------------------------------------------


def at(hour, minute=0):
    return datetime.datetime.combine(DAY, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def itinerary(db, campaign, coordinator):
    load_divisions()
    can_loc = Division.objects.get(level=2, code=443)
    inspectorate = make_organization("Thanh tra Sở Thông tin và Truyền thông")
    health = make_organization("Sở Y tế tỉnh Hà Tĩnh", kind=Organization.Kind.HEALTH)
    vhtt = make_organization("Phòng Văn hóa và Thông tin huyện Can Lộc", kind=Organization.Kind.DISTRICT_VHTT,
                             district=can_loc)
    leader = make_user("leader1", Role.INSPECTOR, first_name="Nguyễn Văn", last_name="Hùng")
    doctor = make_user("doctor", Role.INSPECTOR, first_name="Trần Thị", last_name="Hương")
    officer = make_user("officer", Role.INSPECTOR, first_name="Lê Đức", last_name="Thắng")
    team = make_team(campaign, "Tổ kiểm tra PC-Covid", [
        (leader, TeamMembership.Position.LEADER, inspectorate),
        (doctor, TeamMembership.Position.MEMBER, health),
        (officer, TeamMembership.Position.MEMBER, vhtt)])
    vehicle = Vehicle.objects.create(plate="38A-123.45", seats=6, driver_name="Phạm Quốc Việt",
                                     driver_phone="0912345678")
    school = make_unit("Trường Trung học cơ sở Thị trấn Nghèn", commune=18406, category="truong_hoc",
                       address="Khối 5")
    market = make_unit("Chợ Nghèn", commune=18406, address="Khối 1")
    itinerary, check = schedule.save_itinerary(
        campaign=campaign, date=DAY, departs_at=datetime.time(7, 30), returns_at=datetime.time(11, 30),
        vehicle=vehicle, people=list(team.memberships.all()), by=coordinator,
        visits=[PlannedVisit(market, at(9, 45), at(11, 0)), PlannedVisit(school, at(8, 15), at(9, 30))])
    assert itinerary is not None, check
    return itinerary


def test_the_schedule_notice_has_the_decree_30_layout_and_the_itinerary(itinerary, tmp_path):
    pdf = schedule_notice_pdf(itinerary, issued_on=datetime.date(2021, 12, 6))

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for expected in [
        "UBND TỈNH HÀ TĨNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "/TB-STTTT", "Hà Tĩnh, ngày 06 tháng 12 năm 2021",
        "THÔNG BÁO", "Lịch kiểm tra việc triển khai hệ thống PC-Covid và quét mã QR",
        "Căn cứ Văn bản số 7641/UBND-VX ngày 12/11/2021;",
        "thứ Ba, ngày 07 tháng 12 năm 2021", "07h30", "Sở Thông tin và Truyền thông tỉnh Hà Tĩnh",
        "38A-123.45", "Phạm Quốc Việt", "0912345678",
        "Nguyễn Văn Hùng — Thanh tra Sở Thông tin và Truyền thông (Tổ trưởng)",
        "Trần Thị Hương — Sở Y tế tỉnh Hà Tĩnh", "Lê Đức Thắng — Phòng Văn hóa và Thông tin huyện Can Lộc",
        "08h15 – 09h30 Trường Trung học cơ sở Thị trấn Nghèn Khối 5, Thị trấn Nghèn, Huyện Can Lộc",
        "09h45 – 11h00 Chợ Nghèn Khối 1, Thị trấn Nghèn, Huyện Can Lộc",
        "không cung cấp lịch kiểm tra cho đơn vị được kiểm tra (kiểm tra đột xuất)",
        "Nơi nhận:", "- Như trên;", "- Lãnh đạo Sở (b/c);", "- Lưu: VT, TTr.",
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
    ]:
        assert expected in text, expected
    # The visits in the order of the day: the school (08h15) before the market (09h45).
    assert text.index("Trường Trung học cơ sở Thị trấn Nghèn") < text.index("Chợ Nghèn Khối 1")
    assert_only_embedded_tinos(pdf, tmp_path)


def test_the_schedule_times_are_hanoi_time_whatever_the_active_timezone(itinerary, tmp_path):
    with timezone.override("UTC"):
        pdf = schedule_notice_pdf(itinerary, issued_on=datetime.date(2021, 12, 6))

    text = pdf_text(pdf, tmp_path)
    assert "08h15 – 09h30" in text
    assert "01h15" not in text


def test_a_periodic_campaign_has_no_surprise_wording(itinerary, tmp_path):
    itinerary.campaign.form = Campaign.Form.PERIODIC
    itinerary.campaign.save()

    text = pdf_text(schedule_notice_pdf(itinerary, issued_on=DAY), tmp_path)

    assert "đột xuất" not in text
    assert "Đề nghị các thành viên Tổ kiểm tra bố trí thời gian tham gia đầy đủ." in text


# ----------------------------------------------------------------------------------------
# The font
# ----------------------------------------------------------------------------------------


@pytest.fixture
def glyph_template(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}]
    return "documents_test/glyphs.html"


def test_vietnamese_letters_in_every_style_are_drawn_by_the_embedded_tinos(glyph_template, tmp_path):
    context = {"header": DocumentHeader(type_code="TB", day=DAY), "title": {"kind": "THÔNG BÁO", "subject": "Đđ"},
               "signature": SignatureBlock(signer="Đặng Ứng Ữ"), "recipients": recipient_lines(["Lưu: VT"]),
               "sample": VIETNAMESE_SAMPLE, "decomposed": unicodedata.normalize("NFD", VIETNAMESE_SAMPLE)}

    pdf = render_pdf(glyph_template, context)

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    # Four styles plus the decomposed copy, which is drawn as precomposed letters.
    assert text.count(VIETNAMESE_SAMPLE) == 5
    assert "Đặng Ứng Ữ" in text
    assert_only_embedded_tinos(pdf, tmp_path)
    # Regular, bold, italic and bold italic, each with its Vietnamese subset.
    names = {name.split("+")[-1] for name, _embedded in pdf_fonts(pdf, tmp_path)}
    assert names >= {"Tinos", "Tinos-Bold", "Tinos-Italic", "Tinos-Bold-Italic", "Tinos-Vietnamese",
                     "Tinos-Vietnamese-Bold", "Tinos-Vietnamese-Italic", "Tinos-Vietnamese-Bold-Italic"}, names


def test_a_document_loads_static_files_and_nothing_else(settings):
    fetcher = StaticFilesFetcher()
    font = "vendor/fonts/tinos/tinos-latin-400-normal.woff"

    # As `{% static %}` writes it, resolved against render_pdf's base URL, and as a file URL.
    assert fetcher.fetch(f"file://{static(font)}").read()[:4] == b"wOFF"
    assert fetcher.fetch((Path(settings.BASE_DIR) / "static" / font).as_uri()).read()[:4] == b"wOFF"
    for url in ["file:///etc/hostname", (Path(settings.BASE_DIR) / "manage.py").as_uri(), "https://example.com/a.png"]:
        with pytest.raises(ValueError, match="only load static files"):
            fetcher.fetch(url)
