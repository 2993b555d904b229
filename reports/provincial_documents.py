"""The provincial report as documents: the DOCX draft (Decree 30/2020 layout, outline of
domain-facts §3.3) and its Excel annex (Phụ lục), both read from the frozen snapshot, and
the background task that stores them for each revision of the report.

They are legal documents of the province and are written in Vietnamese whatever the
interface language."""

import datetime
import io
import math

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from accounts.roles import display_name
from config import jobs
from inspections.models import Campaign, FollowUp
from inspections.vocabulary import CONCLUSION_TEXT
from reports.documents import (
    LOCAL_TIMEZONE,
    DocumentHeader,
    DocumentTitle,
    Heading,
    SignatureBlock,
    Table,
    document_context,
    legal_basis_lines,
    plan_reference,
    render_docx,
    text_lines,
    vietnamese_labels,
    vietnamese_number,
)
from reports.models import ProvincialReport
from reports.provincial import CRITERIA, VALUES, Figures
from units.exporters import DATE_FORMAT, print_setup
from units.workbooks import safe_text

SUBJECT = "Kết quả kiểm tra việc triển khai hệ thống PC-Covid và quét mã QR phục vụ công tác phòng, chống dịch COVID-19"
ADDRESSEE = "Ủy ban nhân dân tỉnh Hà Tĩnh"
RECIPIENTS = ["Như trên", "Ban Chỉ đạo PCD tỉnh (b/c)", "Giám đốc, các PGĐ Sở", "Sở Y tế",
              "UBND các huyện, thành phố, thị xã", "Lưu: VT, TTr"]
CRITERION_HEADINGS = {
    "a": "Công tác chỉ đạo, tuyên truyền cài đặt ứng dụng PC-Covid, tạo mã QR",
    "b": "Tạo, niêm yết và quét mã QR địa điểm",
    "c": "Sử dụng hệ thống quản lý (quanly.pccovid.gov.vn) phục vụ thống kê, truy vết",
}
CRITERION_NAMES = {"a": "a) Công tác chỉ đạo, tuyên truyền", "b": "b) Tạo, niêm yết, quét mã QR",
                   "c": "c) Sử dụng hệ thống quản lý", "overall": "Kết luận chung"}
# Where the annex has always printed another word than the catalogue's label ("Chưa khắc
# phục" on the pages): it keeps its own, so an issued annex reads the same when rebuilt.
OUTCOME_WORDING = {FollowUp.Outcome.NOT_FIXED: "Không khắc phục"}
HAND = "…"  # left for the Inspectorate to write by hand


def conclusion_text(value: str) -> str:
    return CONCLUSION_TEXT.get(value, "")


def outcome_texts() -> dict[str, str]:
    """A follow-up's outcome as the annex prints it, by code; "" for a correction not
    followed up (the words the report's page shows, in Vietnamese)."""
    with translation.override("vi"):
        not_followed_up = gettext("Not followed up")
    return {**vietnamese_labels(FollowUp.Outcome), **OUTCOME_WORDING, "": not_followed_up}


def form_text(form: str) -> str:
    """"kiểm tra đột xuất": the campaign's form as the report's sentence reads, from its
    Vietnamese label; an unknown code as it is."""
    label = vietnamese_labels(Campaign.Form).get(form)
    return f"kiểm tra {label.lower()}" if label else form


def day(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%d/%m/%Y")


def as_date(iso: str) -> datetime.date | None:
    """A snapshot's ISO day as a date, for a real date cell; None for none."""
    return datetime.date.fromisoformat(iso) if iso else None


class _Campaign:
    """What plan_reference() reads, from the snapshot's copy of the campaign."""

    def __init__(self, data):
        self.title, self.number, self.issuing_body = data["title"], data["number"], data["issuing_body"]


def issuing_day(report, issued_on: datetime.date | None = None) -> datetime.date:
    """A report's date is its issuing date, never blank: the day it was approved; before,
    the day asked for (the demo: the campaign's last day), else today in Hà Tĩnh."""
    if report.approved_at:
        return timezone.localtime(report.approved_at, LOCAL_TIMEZONE).date()
    return issued_on or timezone.localdate(timezone.now(), LOCAL_TIMEZONE)


def report_number(report, issued_on: datetime.date | None = None) -> DocumentHeader:
    return DocumentHeader(type_code="BC", day=issuing_day(report, issued_on), number=report.number)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({vietnamese_number(round(100 * part / whole, 1))}%)" if whole else "0"


def report_context(report, *, issued_on: datetime.date | None = None) -> dict:
    """The report in the document layer's terms. `issued_on` dates a report not yet
    approved (default today); a report not yet approved says DỰ THẢO on every page."""
    figures = Figures(report.snapshot)
    snapshot, campaign = report.snapshot, report.snapshot["campaign"]
    total = figures.total.count
    kinds = "; ".join(f"{name}: {vietnamese_number(units)}" for name, _visits, units in figures.by_category())
    organizations = "; ".join(snapshot["organizations"]) or HAND
    body = [
        *legal_basis_lines([campaign["legal_basis"]]),
        f"Thực hiện {plan_reference(_Campaign(campaign))}, Sở Thông tin và Truyền thông báo cáo kết quả kiểm tra "
        f"như sau:",
        f"Thành phần: {vietnamese_number(snapshot['teams'])} tổ kiểm tra, "
        f"{vietnamese_number(snapshot['members'])} thành viên, gồm đại diện "
        f"{organizations}.",
        f"Thời gian kiểm tra: từ ngày {day(campaign['starts_on'])} đến ngày {day(campaign['ends_on'])}; hình thức: "
        f"{form_text(campaign['form'])}. Số liệu tính đến ngày {day(snapshot['as_of'])}.",
        f"Số đơn vị đã kiểm tra: {vietnamese_number(figures.units_inspected)} đơn vị "
        f"({vietnamese_number(total)} lượt kiểm tra đã được duyệt)"
        + (f", gồm: {kinds}." if kinds else "."),
        Table(["STT", "Loại hình", "Số đơn vị", "Số lượt"],
              [[index, name, units, visits.count] for index, (name, visits, units) in
               enumerate(figures.by_category(), start=1)]
              + [["", "Tổng cộng", figures.units_inspected, total]], total_row=True),
    ]
    if snapshot["pending"]:
        body.append(f"Ngoài ra có {vietnamese_number(snapshot['pending'])} lượt kiểm tra chưa được duyệt đến ngày "
                    f"{day(snapshot['as_of'])}, chưa tính trong báo cáo này.")
    body.append(Heading("I. KẾT QUẢ KIỂM TRA"))
    for index, (code, compliant, partly, noncompliant) in enumerate(figures.criteria()[:3], start=1):
        body.append(Heading(f"{index}. {CRITERION_HEADINGS[code]}"))
        assessed = compliant.count + partly.count + noncompliant.count  # (c) does not apply to every unit
        body.append(f"Số đơn vị được đánh giá theo tiêu chí này: {vietnamese_number(assessed)}; "
                    f"đạt: {_share(compliant.count, assessed)}; đạt một phần: {vietnamese_number(partly.count)}; "
                    f"chưa đạt: {vietnamese_number(noncompliant.count)}.")
        if code == "b":
            body.append(qr_table(figures))
    body.append(Heading("4. Kết quả chung theo từng tiêu chí"))
    body.append(criteria_table(figures))
    body.append(Heading("5. Kết quả theo địa bàn"))
    body.append(district_table(figures))
    body.append(Heading("II. ĐÁNH GIÁ CHUNG"))
    for index, (heading, text) in enumerate((("Ưu điểm", report.strengths), ("Tồn tại, hạn chế", report.shortcomings),
                                             ("Nguyên nhân", report.causes)), start=1):
        body.append(Heading(f"{index}. {heading}"))
        body.extend(text_lines(text) or [HAND])
    body.append(Heading("III. KIẾN NGHỊ, ĐỀ XUẤT"))
    body.extend(text_lines(report.recommendations) or [HAND])
    body.append("(Chi tiết tại Phụ lục kèm theo.)")
    signer = display_name(report.approved_by) if report.approved_by_id else ""
    return document_context(
        header=report_number(report, issued_on), title=DocumentTitle("BÁO CÁO", SUBJECT),
        draft=report.approved_at is None,
        signature=SignatureBlock("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", signer), recipients=RECIPIENTS,
        addressee=ADDRESSEE, paragraphs=body)


def qr_table(figures: Figures) -> Table:
    """Criterion b by district: the units assessed, their conclusions, the location QR codes
    they had created and the scans of their last 7 days (the figures each unit reported;
    the annex lists them unit by unit)."""
    rows = []
    for code, name in figures.snapshot["districts"]:
        visits = figures.matching(district=code)
        if not visits:
            continue
        rows.append([name, *(sum(1 for row in visits if row["b"] == value) for value in VALUES),
                     sum(row["qr_codes"] or 0 for row in visits), sum(row["scans"] or 0 for row in visits)])
    totals = [sum(row[column] for row in rows) for column in range(1, 6)]
    return Table(["Huyện, thị xã, thành phố", "Đạt", "Đạt một phần", "Chưa đạt", "Số mã QR đã tạo",
                  "Lượt quét 7 ngày"], rows + [["Tổng cộng", *totals]], total_row=True)


def criteria_table(figures: Figures) -> Table:
    return Table(["Tiêu chí", "Đạt", "Đạt một phần", "Chưa đạt", "Tổng"],
                 [[CRITERION_NAMES[code], *(f.count for f in counts), sum(f.count for f in counts)]
                  for code, *counts in figures.criteria()])


def district_table(figures: Figures) -> Table:
    rows = [[name, total.count, *(f.count for f in parts)] for name, total, *parts in figures.by_district()]
    totals = [sum(row[column] for row in rows) for column in range(1, 5)]
    return Table(["Huyện, thị xã, thành phố", "Số lượt", "Đạt", "Đạt một phần", "Chưa đạt"],
                 rows + [["Tổng cộng", *totals]], total_row=True)


def report_docx(report, *, issued_on: datetime.date | None = None) -> bytes:
    return render_docx(report_context(report, issued_on=issued_on))


# ------------------------------------------------------------------------------ the annex

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(name="Times New Roman", bold=True, size=12)
NORMAL = Font(name="Times New Roman", size=12)
TITLE = Font(name="Times New Roman", bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LINE_HEIGHT = 15.75  # points per line of 12 pt text


def _styles() -> dict[str, NamedStyle]:
    """The annex's named styles, one per kind of cell (a write-only workbook stores a style
    once and each cell names it, instead of a font, a border and an alignment per cell)."""
    return {
        "annex-title": NamedStyle("annex-title", font=TITLE, alignment=CENTER),
        "annex-subtitle": NamedStyle("annex-subtitle", font=Font(name="Times New Roman", italic=True, size=12),
                                     alignment=CENTER),
        "annex-header": NamedStyle("annex-header", font=BOLD, alignment=CENTER, border=BORDER),
        "annex-cell": NamedStyle("annex-cell", font=NORMAL, alignment=WRAP, border=BORDER),
        "annex-bold": NamedStyle("annex-bold", font=BOLD, alignment=WRAP, border=BORDER),
        "annex-date": NamedStyle("annex-date", font=NORMAL, alignment=WRAP, border=BORDER,
                                 number_format=DATE_FORMAT),
        "annex-bold-date": NamedStyle("annex-bold-date", font=BOLD, alignment=WRAP, border=BORDER,
                                      number_format=DATE_FORMAT),
    }


class _AnnexSheet:
    """A write-only sheet: a merged title and subtitle over the table's width, then its bold,
    bordered header row (row 4, frozen and repeated on every printed page); data from row 5,
    appended in order, each row as tall as its most wrapped cell (a spreadsheet does not
    grow a row it did not lay out itself)."""

    FIRST = 5

    def __init__(self, workbook, name: str, title: str, subtitle: str, headers: list, widths: list):
        self.sheet = sheet = workbook.create_sheet(name)
        self.widths = widths
        last = get_column_letter(len(headers))
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A5"
        print_setup(sheet, title_rows="4:4")
        sheet.merged_cells.add(f"A1:{last}1")
        sheet.merged_cells.add(f"A2:{last}2")
        sheet.row_dimensions[1].height = 36
        sheet.append([self._cell(title, "annex-title")])
        sheet.append([self._cell(subtitle, "annex-subtitle")])
        sheet.append([])
        sheet.append([self._cell(header, "annex-header") for header in headers])
        self.next_row = self.FIRST

    def _cell(self, value, style: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.style = style
        return cell

    def row(self, values: list, *, bold: bool = False) -> int:
        """Append one bordered row (dates real dates shown dd/mm/yyyy); returns its number."""
        lines, cells = 1, []
        for column, value in enumerate(values):
            if isinstance(value, datetime.date):
                cells.append(self._cell(value, "annex-bold-date" if bold else "annex-date"))
                continue
            if isinstance(value, str) and not value.startswith("=SUM("):
                lines = max(lines, _lines(value, self.widths[column] or 10))
                value = safe_text(value)
            cells.append(self._cell(value, "annex-bold" if bold else "annex-cell"))
        self.sheet.row_dimensions[self.next_row].height = LINE_HEIGHT * lines
        self.sheet.append(cells)
        self.next_row += 1
        return self.next_row - 1


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped cell takes in a column `width` characters wide (Times New
    Roman 12 pt fits about 1.1 characters per width unit)."""
    per_line = max(int(width * 1.1), 1)
    return sum(max(math.ceil(len(part) / per_line), 1) for part in text.split("\n"))


def annex_subtitle(report) -> str:
    header = report_number(report)
    issued = f" ngày {header.day:%d/%m/%Y}" if header.day else ""
    return (f"(Kèm theo Báo cáo {header.number_line.removeprefix('Số: ').strip()}{issued} của Sở Thông tin và "
            f"Truyền thông; số liệu tính đến ngày {day(report.snapshot['as_of'])})")


def report_annex(report) -> bytes:
    """The Phụ lục: units by district × category, results per criterion and by district,
    the units short of compliance with their follow-up, and the list of every visit
    counted, so each figure can be traced. Totals are formulas Excel recomputes. Written
    write-only with named styles, row by row from the stored snapshot: the memory is the
    snapshot's, not a workbook's of every cell."""
    figures = Figures(report.snapshot)
    subtitle = annex_subtitle(report)
    workbook = Workbook(write_only=True)
    for style in _styles().values():
        workbook.add_named_style(style)

    categories = figures.categories
    sheet = _AnnexSheet(workbook, "Tổng hợp", "PHỤ LỤC I\nSỐ LƯỢT KIỂM TRA THEO ĐỊA BÀN VÀ LOẠI HÌNH", subtitle,
                        ["STT", "Huyện, thị xã, thành phố", *(name for _code, name in categories), "Tổng"],
                        [6, 30, *([16] * len(categories)), 10])
    first = _AnnexSheet.FIRST
    matrix = figures.matrix()
    last_cell = get_column_letter(2 + len(categories))
    for index, (name, cells, _total) in enumerate(matrix):
        row = first + index
        sheet.row([index + 1, name, *(cell.count for cell in cells),
                   f"=SUM(C{row}:{last_cell}{row})" if categories else 0])
    total_row = first + len(matrix)
    sheet.row(["", "Tổng cộng", *(
        f"=SUM({get_column_letter(column)}{first}:{get_column_letter(column)}{total_row - 1})"
        for column in range(3, 4 + len(categories)))], bold=True)

    sheet = _AnnexSheet(workbook, "Theo tiêu chí", "PHỤ LỤC II\nKẾT QUẢ THEO TIÊU CHÍ VÀ THEO ĐỊA BÀN", subtitle,
                        ["Tiêu chí / Địa bàn", "Đạt", "Đạt một phần", "Chưa đạt", "Tổng"], [40, 12, 14, 12, 12])
    for code, *counts in figures.criteria():
        row = sheet.next_row
        sheet.row([CRITERION_NAMES[code], *(f.count for f in counts), f"=SUM(B{row}:D{row})"], bold=code == "overall")
    sheet.sheet.append([])  # a blank row between the two tables
    sheet.next_row += 1
    sheet.row(["Kết luận chung theo địa bàn", "Đạt", "Đạt một phần", "Chưa đạt", "Tổng"], bold=True)
    start = sheet.next_row
    for name, _total, *parts in figures.by_district():
        row = sheet.next_row
        sheet.row([name, *(f.count for f in parts), f"=SUM(B{row}:D{row})"])
    row = sheet.next_row
    sheet.row(["Tổng cộng", *(f"=SUM({c}{start}:{c}{row - 1})" for c in "BCDE")], bold=True)

    sheet = _AnnexSheet(
        workbook, "Chưa đạt", "PHỤ LỤC III\nĐƠN VỊ CHƯA ĐẠT HOẶC ĐẠT MỘT PHẦN VÀ VIỆC THEO DÕI KHẮC PHỤC",
        subtitle, ["STT", "Đơn vị", "Huyện, thị xã, thành phố", "Loại hình", "Ngày kiểm tra", "Kết luận chung",
                   "Yêu cầu khắc phục", "Thời hạn", "Tình trạng theo dõi", "Mã lượt"],
        [6, 34, 22, 22, 13, 14, 40, 12, 18, 9])
    outcomes = outcome_texts()
    for index, visit in enumerate(figures.short_of_compliance(), start=1):
        for correction in visit["corrections"] or [{"description": "", "deadline": "", "outcome": ""}]:
            sheet.row([index, visit["unit"], visit["district_name"], visit["category_name"], as_date(visit["day"]),
                       conclusion_text(visit["overall"]), correction["description"], as_date(correction["deadline"]),
                       outcomes.get(correction["outcome"], correction["outcome"]), visit["id"]])

    sheet = _AnnexSheet(workbook, "Danh sách lượt", "PHỤ LỤC IV\nDANH SÁCH CÁC LƯỢT KIỂM TRA ĐƯỢC TÍNH", subtitle,
                        ["STT", "Mã lượt", "Đơn vị", "Huyện, thị xã, thành phố", "Xã, phường, thị trấn", "Loại hình",
                         "Ngày kiểm tra", *(CRITERION_NAMES[code] for code in CRITERIA), "Số mã QR đã tạo",
                         "Lượt quét 7 ngày"],
                        [6, 9, 34, 22, 22, 22, 13, 16, 16, 16, 14, 12, 12])
    districts, kinds = figures.district_names, figures.category_names
    for index, visit in enumerate(figures.rows, start=1):
        sheet.row([index, visit["id"], visit["unit"], districts.get(visit["district"], ""), visit["commune_name"],
                   kinds.get(visit["category"], ""), as_date(visit["day"]),
                   *(conclusion_text(visit[code]) for code in CRITERIA), visit["qr_codes"], visit["scans"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ the stored files


def queue_files(report: ProvincialReport) -> None:
    """Queue the build of the report's latest revision, and remember its task (after the
    change commits, a worker builds it)."""
    result = report_files_task.enqueue(report.pk, report.revision)
    report.files_task_id = str(result.id)
    ProvincialReport.objects.filter(pk=report.pk).update(files_task_id=report.files_task_id)


def recover_files(report: ProvincialReport) -> bool:
    """The files are derived data: when the worker that built them died (its queue row ended
    or was claimed long ago, and no worker holds the report's lock: config/jobs.py), queue the
    build again instead of leaving the page saying "being prepared" for ever. Returns whether
    it did."""
    if report.files_ready or not jobs.claimed_and_dropped(report.files_task_id):
        return False
    if not jobs.abandoned(jobs.REPORT_FILES, report.pk):
        return False
    jobs.fail_task(report.files_task_id)
    queue_files(report)
    return True


def build_files(report_id: int, revision: int) -> bool:
    """Write the Word draft and the annex of this revision of the report, unless the report
    has changed since (then a later task builds them). Returns whether they were stored.
    The report's worker lock is held throughout (config/jobs.py)."""
    with jobs.running(jobs.REPORT_FILES, report_id):
        return _build_files(report_id, revision)


def _build_files(report_id: int, revision: int) -> bool:
    report = ProvincialReport.objects.select_related("approved_by").get(pk=report_id)
    if report.revision != revision:
        return False
    stem = f"bao-cao-{report.pk}-r{revision}"
    document = default_storage.save(f"reports/{stem}.docx", ContentFile(report_docx(report)))
    annex = default_storage.save(f"reports/{stem}-phu-luc.xlsx", ContentFile(report_annex(report)))
    stored = ProvincialReport.objects.filter(pk=report_id, revision=revision).update(
        document=document, annex=annex, files_revision=revision)
    old = [] if not stored else [report.document.name, report.annex.name]
    for name in (old if stored else [document, annex]):
        if name:
            default_storage.delete(name)
    return bool(stored)


@task()
def report_files_task(report_id: int, revision: int) -> None:
    """Build the report's Word draft and annex for this revision (a newer one skips it);
    run by `manage.py db_worker`, queued by every change in `reports/services.py`."""
    build_files(report_id, revision)
