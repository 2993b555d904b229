"""Every generated document read back from its file against the layout rules of Decree
30/2020 (domain-facts §3) that a file can show: margins, fonts and sizes, the two rules
under the header, the number line, the date line, V/v, Nơi nhận, the signature, page
numbers, DỰ THẢO; tables that survive page breaks; spreadsheets that print. The files as
LibreOffice prints them: tests/reports/test_libreoffice.py."""

import datetime
import io
import re
import unicodedata

import pdfplumber
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from inspections.models import FollowUp
from reports import services
from reports.documents import (
    DocumentHeader,
    DocumentTitle,
    SignatureBlock,
    Table,
    document_context,
    minutes_pdf,
    reminder_docx,
    reminder_pdf,
    render_docx,
    schedule_notice_pdf,
)
from reports.models import ProvincialReport
from reports.provincial_documents import report_annex, report_context, report_docx
from tests.factories import make_unit
from tests.inspections.test_fieldwork import build
from tests.reports.test_documents import itinerary  # noqa: F401 (a fixture)
from tests.reports.test_minutes import carry_out
from tests.reports.test_provincial import MID_DECEMBER, world  # noqa: F401 (a fixture)

MM = 72 / 25.4  # PDF points per millimetre
ISSUED = datetime.date(2021, 12, 22)


# ------------------------------------------------------------------------------ reading a PDF


def chars_of(page, text: str) -> list[dict]:
    """The characters of `text` on the page (spaces ignored), in content order."""
    chars = [c for c in page.chars if c["text"].strip()]
    joined = [unicodedata.normalize("NFC", c["text"]) for c in chars]
    target = "".join(text.split())
    flat = "".join(joined)
    start = flat.find(target)
    assert start >= 0, f"{text!r} is not on the page"
    # Each char is one code point after NFC here (Tinos draws precomposed letters).
    return chars[start:start + len(target)]


def centre(chars) -> float:
    return (min(c["x0"] for c in chars) + max(c["x1"] for c in chars)) / 2


def assert_margins(pdf: bytes) -> list:
    """Every character of every page inside the decree's margins: left ≥ 30 mm, right ≥ 15 mm,
    top and bottom ≥ 20 mm (page numbers and the DỰ THẢO mark sit in the top margin)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = []
        for page in document.pages:
            chars = [c for c in page.chars if c["text"].strip()]
            body = [c for c in chars if c["top"] > 20 * MM]
            # (a point of tolerance: a glyph's box may overhang its advance)
            assert min(c["x0"] for c in chars) >= 30 * MM - 1, page.page_number
            assert max(c["x1"] for c in chars) <= (210 - 15) * MM + 1, page.page_number
            assert max(c["bottom"] for c in body) <= (297 - 20) * MM + 1, page.page_number
            margin = "".join(c["text"] for c in chars if c["bottom"] < 20 * MM)
            pages.append(margin)
        return pages


# ------------------------------------------------------------------------------ the PDFs


def test_the_notice_pdf_has_the_margins_the_number_under_the_body_and_an_italic_date(itinerary):  # noqa: F811
    pdf = schedule_notice_pdf(itinerary, issued_on=datetime.date(2021, 12, 6))

    margins = assert_margins(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        issuing = chars_of(page, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
        number = chars_of(page, "Số:/TB-STTTT")
        date = chars_of(page, "Hà Tĩnh, ngày 06 tháng 12 năm 2021")
        motto = chars_of(page, "Độc lập - Tự do - Hạnh phúc")
        national = chars_of(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    # The header inside the text area: the issuing body starts at 30 mm at least.
    assert min(c["x0"] for c in issuing) >= 30 * MM - 0.5
    # Each header line on one line (one baseline), at 12–13 pt, bold where the decree says.
    for line, sizes, bold in ((issuing, (12, 13), True), (national, (12, 13), True), (motto, (13, 14), True)):
        assert len({round(c["top"]) for c in line}) == 1
        assert all(sizes[0] <= round(c["size"], 1) <= sizes[1] for c in line)
        assert all(("Bold" in c["fontname"]) == bold for c in line)
    # "Số:" centred under the issuing body, 13 pt upright; the date line 13–14 pt italic.
    assert abs(centre(number) - centre(issuing)) < 2 * MM
    assert all(round(c["size"]) == 13 and "Italic" not in c["fontname"] for c in number)
    assert all(13 <= round(c["size"]) <= 14 and "Italic" in c["fontname"] for c in date)
    assert abs(centre(date) - centre(national)) < 2 * MM
    # Page 1 has no page number; a schedule not yet sent (this one) is a draft.
    assert margins[0] == "DỰTHẢO"


def test_the_minutes_number_their_pages_from_page_2_and_say_draft_on_every_page(db, coordinator):
    visit = carry_out(build(coordinator), overrides={"b4": "no"})
    pdf = minutes_pdf(visit)

    margins = assert_margins(pdf)
    assert len(margins) >= 2
    assert margins[0] == "DỰTHẢO"
    for number, text in enumerate(margins[1:], start=2):
        assert text == f"{number}DỰTHẢO"
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page_number = [c for c in document.pages[1].chars if c["bottom"] < 20 * MM and c["text"] == "2"]
        assert abs(centre(page_number) - (30 + 165 / 2) * MM) < 1 * MM  # centred over the text area
        assert round(page_number[0]["size"]) == 13


def test_the_reminder_pdf_puts_the_subject_under_the_number_and_draws_no_title_rule(world):  # noqa: F811
    follow_up = FollowUp.objects.get(correction__visit=world["market_visit"])
    pdf = reminder_pdf(follow_up, issued_on=ISSUED)

    assert_margins(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        number = chars_of(page, "Số:/STTTT-TTr")
        subject = chars_of(page, "V/v đôn đốc khắc phục")
        addressee = chars_of(page, "Kính gửi:")
        issuing = chars_of(page, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
        # No line between the number row and "Kính gửi" (the empty title drew one).
        rules = [line for line in page.lines + page.rects
                 if number[0]["bottom"] < line["top"] < addressee[0]["top"]]
    assert subject[0]["top"] > number[0]["bottom"]
    assert all(round(c["size"]) == 12 for c in subject)
    # Under the number, in the left column (75 mm from the margin), centred there.
    assert max(c["x1"] for c in subject) < (30 + 75) * MM
    assert abs(centre(subject[:10]) - centre(issuing)) < 40 * MM
    assert rules == []


# ------------------------------------------------------------------------------ the DOCX


def borders(paragraph) -> list[str]:
    return [element.tag.split("}")[1] for element in paragraph._p.findall(f"{qn('w:pPr')}/{qn('w:pBdr')}/*")]


def assert_decree_docx(document, *, draft: bool) -> None:
    section = document.sections[0]
    mm = [round(length.mm, 1) for length in (section.page_width, section.page_height, section.left_margin,
                                             section.right_margin, section.top_margin, section.bottom_margin)]
    assert mm == [210, 297, 30, 15, 20, 20]
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size) == ("Times New Roman", Pt(14))
    assert normal.paragraph_format.space_after == Pt(0)
    # Page numbers: a PAGE field in the header of pages 2 on, none on page 1.
    assert section.different_first_page_header_footer
    assert section.header._element.findall(f".//{qn('w:fldSimple')}")[0].get(qn("w:instr")) == "PAGE"
    assert section.first_page_header._element.findall(f".//{qn('w:fldSimple')}") == []
    for header in (section.header, section.first_page_header):
        assert ("DỰ THẢO" in header.paragraphs[0].text) == draft

    heading = document.tables[0]
    left, right = heading.rows[0].cells
    assert [round(c.width.mm) for c in heading.rows[0].cells] == [75, 90]
    governing, issuing, issuing_rule = left.paragraphs
    national, motto, motto_rule = right.paragraphs
    for paragraph, size, bold in ((governing, 12, False), (issuing, 12, True), (national, 12, True), (motto, 13, True)):
        run = paragraph.runs[0]
        assert (run.font.size, run.bold) == (Pt(size), bold)
        assert paragraph.paragraph_format.space_after is None  # Normal's 0
    # The two rules: a top border on the empty paragraph under the issuing body (1/3–1/2 of
    # its 73.6 mm) and under the motto (as long as its 56 mm).
    for rule, column, low, high in ((issuing_rule, 75, 73.6 / 3, 73.6 / 2), (motto_rule, 90, 54, 60)):
        assert borders(rule) == ["top"] and rule.text == ""
        length = column - 2 * rule.paragraph_format.left_indent.mm
        assert low <= length <= high
    number, date = heading.rows[1].cells
    assert re.fullmatch(r"Số: +/[A-Z]+(-[A-Za-z]+)+", number.paragraphs[0].text)
    assert number.paragraphs[0].runs[0].font.size == Pt(13)
    assert re.fullmatch(r"Hà Tĩnh, ngày \d\d tháng (0[12]|[3-9]|1[012]) năm \d{4}", date.paragraphs[0].text)
    assert date.paragraphs[0].runs[0].italic and date.paragraphs[0].runs[0].font.size == Pt(14)

    closing = document.tables[-1]
    recipients, signing = closing.rows[0].cells
    label = recipients.paragraphs[0].runs[0]
    assert (label.text, label.bold, label.italic, label.font.size) == ("Nơi nhận:", True, True, Pt(12))
    assert recipients.paragraphs[-1].text.startswith("- Lưu: VT") and recipients.paragraphs[-1].text.endswith(".")
    assert all(p.runs[0].font.size == Pt(11) for p in recipients.paragraphs[1:])
    assert [p.text for p in signing.paragraphs[:2]] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert all(p.runs[0].bold for p in signing.paragraphs[:2])
    assert closing.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None


def test_the_report_docx_has_the_decree_layout_and_tables_that_survive_page_breaks(world, coordinator):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    document = Document(io.BytesIO(report_docx(report, issued_on=ISSUED)))

    assert_decree_docx(document, draft=True)
    assert document.tables[0].rows[1].cells[1].text == "Hà Tĩnh, ngày 22 tháng 12 năm 2021"
    body = [p for p in document.paragraphs if p.text]
    assert all(p.paragraph_format.space_after == Pt(6) for p in body
               if p.text not in ("BÁO CÁO",) and not p.text.startswith(("Kính gửi", "Kết quả kiểm tra việc")))
    for grid in document.tables[1:-1]:
        first, *rows = grid.rows
        assert first._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in grid.rows)
        if first.cells[0].text == "STT":
            widths = [cell.width for cell in first.cells]
            assert round(widths[0].mm) == 12 and all(width.mm > 30 for width in widths[1:])
    # The last paragraph stays with the signature.
    assert body[-1].paragraph_format.keep_with_next


def test_an_approved_report_is_dated_on_its_approval_and_is_no_draft(world, coordinator, leadership):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    report = services.approve(ProvincialReport.objects.get(pk=report.pk), by=leadership)

    context = report_context(report, issued_on=ISSUED)

    assert context["header"].day == timezone.localdate(report.approved_at)
    assert not context["draft"]
    assert_decree_docx(Document(io.BytesIO(report_docx(report))), draft=False)


def test_the_reminder_docx_has_the_subject_under_the_number(world):  # noqa: F811
    follow_up = FollowUp.objects.get(correction__visit=world["market_visit"])
    document = Document(io.BytesIO(reminder_docx(follow_up, issued_on=ISSUED)))

    assert_decree_docx(document, draft=False)
    number = document.tables[0].rows[1].cells[0]
    assert number.paragraphs[1].text.startswith("V/v đôn đốc khắc phục")
    assert number.paragraphs[1].runs[0].font.size == Pt(12)
    assert "Kính gửi: Chợ Nghèn" in [p.text for p in document.paragraphs]


def test_numbers_in_document_tables_take_the_vietnamese_form(db):
    context = document_context(header=DocumentHeader(type_code="BC", day=ISSUED), title=DocumentTitle("BÁO CÁO"),
                               signature=SignatureBlock(), recipients=["Lưu: VT"],
                               paragraphs=[Table(["STT", "Đơn vị", "Lượt quét", "Tỷ lệ"], [[1, "Chợ", 3840, 72.5]])])
    document = Document(io.BytesIO(render_docx(context)))

    assert [cell.text for cell in document.tables[1].rows[1].cells] == ["1", "Chợ", "3.840", "72,5"]


# ------------------------------------------------------------------------------ spreadsheets


def assert_prints(sheet, title_rows: str) -> None:
    setup = sheet.page_setup
    assert (str(setup.paperSize), setup.orientation) == (sheet.PAPERSIZE_A4, "landscape")
    assert (setup.fitToWidth, setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    assert sheet.print_title_rows == title_rows


def test_the_annex_prints_on_a4_landscape_with_real_dates_and_row_heights(world, coordinator):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    workbook = load_workbook(io.BytesIO(report_annex(report)))

    for sheet in workbook.worksheets:
        assert_prints(sheet, "$4:$4")
        assert sheet.freeze_panes == "A5"
        assert all(cell.font.bold for cell in sheet[4] if cell.value)
    # a header that wraps makes its row taller: "UBND huyện, thị xã, thành phố" takes two lines of 16
    summary = workbook["Tổng hợp"]
    assert "UBND huyện, thị xã, thành phố" in [cell.value for cell in summary[4]]
    assert summary.row_dimensions[4].height >= 2 * 15
    short = workbook["Chưa đạt"]
    market = next(row for row in short.iter_rows(min_row=5) if row[1].value == "Chợ Nghèn")
    assert (market[4].value.date(), market[4].number_format) == (datetime.date(2021, 12, 7), "dd/mm/yyyy")
    assert (market[7].value.date(), market[7].number_format) == (datetime.date(2021, 12, 14), "dd/mm/yyyy")
    listed = workbook["Danh sách lượt"]
    assert all(row[6].number_format == "dd/mm/yyyy" and isinstance(row[6].value, datetime.datetime)
               for row in listed.iter_rows(min_row=5))
    # A row of one line has the sheet's default height of a 12 pt line; a wrapped cell gets its lines'.
    assert listed.sheet_format.defaultRowHeight >= 15 and listed.sheet_format.customHeight
    assert all((listed.row_dimensions[row[0].row].height or listed.sheet_format.defaultRowHeight) >= 15
               for row in listed.iter_rows(min_row=5))


def test_the_registry_export_is_a_named_sheet_that_prints(client, coordinator, divisions):
    unit = make_unit("Chợ Nghèn", commune=18406)
    unit.qr_created_on = datetime.date(2021, 11, 20)
    unit.save()
    client.force_login(coordinator)

    response = client.get(reverse("units:unit_export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    assert workbook.sheetnames == ["Đơn vị"]
    sheet = workbook["Đơn vị"]
    assert_prints(sheet, "$1:$1")
    assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1])
    headers = [cell.value for cell in sheet[1]]
    assert all(header[0].isupper() for header in headers), headers
    created = sheet.cell(row=2, column=headers.index("Ngày tạo mã QR") + 1)
    assert (created.value.date(), created.number_format) == (datetime.date(2021, 11, 20), "dd/mm/yyyy")
    assert sheet.column_dimensions["A"].width == 40


def test_an_annex_row_is_as_tall_as_its_most_wrapped_cell_and_styled_as_its_kind():
    from openpyxl import Workbook

    from reports import provincial_documents

    workbook = Workbook(write_only=True)
    for style in provincial_documents._styles().values():
        workbook.add_named_style(style)
    sheet = provincial_documents._AnnexSheet(workbook, "x", "T", "S", ["a", "b"], [6, 10])
    short = sheet.row([1, "Chợ"])
    tall = sheet.row([2, "Cửa hàng bách hóa tổng hợp số một"])  # 33 characters in 11 a line: 3 lines
    broken = sheet.row([3, "Dòng một\nDòng hai"], bold=True)

    dimensions = sheet.sheet.row_dimensions
    assert short not in dimensions or dimensions[short].height is None
    assert dimensions[tall].height == provincial_documents.LINE_HEIGHT * 3
    assert dimensions[broken].height == provincial_documents.LINE_HEIGHT * 2
    cells = [sheet._cell("x", "annex-cell"), sheet._cell("y", "annex-bold"), sheet._cell(datetime.date.today(),
                                                                                         "annex-date")]
    assert [cell.style for cell in cells] == ["annex-cell", "annex-bold", "annex-date"]
    assert cells[1].font.bold and not cells[0].font.bold and cells[2].number_format == "dd/mm/yyyy"
