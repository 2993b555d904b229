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
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from accounts.roles import display_name
from config import jobs
from inspections.models import Campaign, FollowUp, Organization
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
from reports.provincial import CRITERIA, VALUES, AnnexReading, Figures
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
    """A report's date is its issuing date, never blank: the date of issue the report
    records (chosen by the Inspectorate; the demo: the campaign's last day), else the day it
    was approved; before, the day asked for, else today in Hà Tĩnh."""
    if getattr(report, "issued_on", None):
        return report.issued_on
    if report.approved_at:
        return timezone.localtime(report.approved_at, LOCAL_TIMEZONE).date()
    return issued_on or timezone.localdate(timezone.now(), LOCAL_TIMEZONE)


def report_number(report, issued_on: datetime.date | None = None) -> DocumentHeader:
    return DocumentHeader(type_code="BC", day=issuing_day(report, issued_on), number=report.number)


def _share(part: int, whole: int) -> str:
    return (f"{vietnamese_number(part)}/{vietnamese_number(whole)} ({vietnamese_number(round(100 * part / whole, 1))}%)"
            if whole else "0")


def _percent(part: int, whole: int) -> str:
    """"45,5%": a share in the Vietnamese form, one decimal; "0%" of nothing."""
    return f"{vietnamese_number(round(100 * part / whole, 1)) if whole else 0}%"


def team_text(snapshot: dict) -> str:
    """Who the teams were, from the people who travelled on the itineraries of the visits
    counted (plan II.3): the DIC's divisions leading, the Department of Health, the VHTT
    division of every district visited. A snapshot without them names the teams' bodies."""
    bodies = snapshot.get("team_bodies") or []
    if not bodies:
        return "; ".join(snapshot["organizations"]) or HAND
    of_kind = {kind: [name for k, name in bodies if k == kind] for kind, _name in bodies}
    parts = []
    dic = sorted(of_kind.get(Organization.Kind.DIC_DIVISION, []), key=lambda name: not name.startswith("Thanh tra"))
    if dic:  # "Thanh tra Sở … (chủ trì), Phòng Công nghệ thông tin": the Inspectorate leads (plan III.1)
        parts.append(", ".join([f"{dic[0]} (chủ trì)", *(name.split(",")[0].strip() for name in dic[1:])]))
    if of_kind.get(Organization.Kind.HEALTH):
        parts.append(f"đại diện {', '.join(of_kind[Organization.Kind.HEALTH])}")
    vhtt = of_kind.get(Organization.Kind.DISTRICT_VHTT, [])
    if vhtt:
        parts.append(f"đại diện {vietnamese_number(len(vhtt))} Phòng Văn hóa và Thông tin: "
                     + ", ".join(name.removeprefix("Phòng Văn hóa và Thông tin ") for name in vhtt))
    parts.extend(of_kind.get(Organization.Kind.OTHER, []))
    return "; ".join(parts)


def default_direction_documents(campaign) -> str:
    """The direction documents the report names until the Inspectorate edits them: the
    province's document the plan rests on and the DIC's plan itself."""
    return "\n".join(f"- {line}" for line in (campaign.legal_basis, plan_reference(campaign)) if line)


# Thresholds of the proposals section III starts from (the coordinator edits the text).
QR_BOARD_THRESHOLD = 80  # % of a district's units with the QR board posted (b2)
INSTALLATION_THRESHOLD = 50  # % of staff with PC-Covid installed (the checklist's a3 rule)


def proposed_recommendations(snapshot: dict) -> str:
    """Section III as the figures support it, by addressee, for the Inspectorate to edit
    before approval: districts below the QR board threshold or with low installation rates
    → urge; units still showing old codes → remove them; units with a portal account that do
    not use it → use it; corrections still open → remind, then propose handling."""
    figures = Figures(snapshot)
    districts, units = [], []
    for row in figures.plan_by_district():
        if row["b2_assessed"] and 100 * row["b2"] / row["b2_assessed"] < QR_BOARD_THRESHOLD:
            districts.append(f"UBND {row['name']} đôn đốc các cơ quan, đơn vị, địa điểm trên địa bàn niêm yết bảng "
                             f"mã QR địa điểm (mới đạt {row['b2']}/{row['b2_assessed']} đơn vị được kiểm tra, "
                             f"{_percent(row['b2'], row['b2_assessed'])}).")
        if row["staff"] and 100 * row["with_app"] / row["staff"] < INSTALLATION_THRESHOLD:
            districts.append(f"UBND {row['name']} chỉ đạo tuyên truyền cài đặt ứng dụng PC-Covid (tỷ lệ cài đặt tại "
                             f"các đơn vị được kiểm tra: {_percent(row['with_app'], row['staff'])}).")
    old_codes = [row["unit"] for row in figures.rows if row.get("items", {}).get("b3") == "yes"]
    if old_codes:
        units.append(f"{', '.join(old_codes)}: gỡ bỏ các mã QR cũ không phải của PC-Covid (Bluezone, NCOVI, VHD, "
                     f"mã riêng), chỉ niêm yết mã QR địa điểm PC-Covid.")
    no_guide = [row["unit"] for row in figures.rows if row.get("items", {}).get("b4") == "no"]
    if no_guide:
        units.append(f"{', '.join(no_guide)}: bố trí người hướng dẫn, nhắc nhở người đến giao dịch quét mã QR.")
    idle = [row["unit"] for row in figures.rows
            if row.get("items", {}).get("c1") == "yes" and row["items"].get("c2") == "no"]
    if idle:
        units.append(f"{', '.join(idle)}: khai thác phần mềm quanly.pccovid.gov.vn phục vụ thống kê, báo cáo và "
                     f"truy vết F1.")
    follow = figures.follow_up()
    province = []
    if follow["open"]:
        province.append(f"Giao Sở Thông tin và Truyền thông tiếp tục đôn đốc, nhắc nhở {follow['open_units']} đơn vị "
                        f"chưa đạt hoặc đạt một phần khắc phục {follow['open']} tồn tại còn lại; đơn vị không khắc "
                        f"phục đúng thời hạn đề nghị cơ quan có thẩm quyền xem xét, xử lý.")
    lines = ["1. Đối với UBND tỉnh: " + (" ".join(province) or "…")]
    lines.append("2. Đối với UBND các huyện, thành phố, thị xã: " + (" ".join(f"Đề nghị {text}" for text in districts)
                                                                    or "…"))
    lines.append("3. Đối với các cơ quan, đơn vị, địa điểm được kiểm tra: " + (" ".join(units) or "…"))
    return "\n".join(lines)


def plan_a(figures: Figures, report) -> list:
    """II.1 a: the direction documents issued, the units' own documents, the installation
    rates the visits collected by district and overall."""
    body = [Heading("1.1. Văn bản chỉ đạo đã ban hành")]
    body.extend(text_lines(getattr(report, "direction_documents", "")) or [HAND])
    documents = figures.directions()
    assessed = figures.assessed(figures.rows, "a1")
    line = (f"Số đơn vị đã ban hành văn bản chỉ đạo, tuyên truyền cài đặt PC-Covid, tạo và quét mã QR: "
            f"{_share(len(documents), assessed)}")
    named = [f"{row['unit']} ({row['direction']})" for row in documents if row.get("direction")]
    body.append(line + (f", gồm: {'; '.join(named)}." if named else "."))
    body.append(Heading("1.2. Tỷ lệ cài đặt ứng dụng PC-Covid"))
    districts = figures.plan_by_district()
    rows = [[row["name"], row["given"], row["with_app"], row["staff"], _percent(row["with_app"], row["staff"])]
            for row in districts if row["given"]]
    given, with_app, staff = figures.installations(figures.rows)
    if given:
        body.append(f"Tại {vietnamese_number(given)} đơn vị cung cấp số liệu, "
                    f"{vietnamese_number(with_app)}/{vietnamese_number(staff)} cán bộ, nhân viên đã cài đặt ứng dụng "
                    f"PC-Covid ({_percent(with_app, staff)}).")
        body.append(Table(["Huyện, thị xã, thành phố", "Số đơn vị có số liệu", "Đã cài đặt", "Tổng số CBNV",
                           "Tỷ lệ"], rows + [["Tổng cộng", given, with_app, staff, _percent(with_app, staff)]],
                          total_row=True))
    else:
        body.append("Các đơn vị được kiểm tra chưa cung cấp số liệu cán bộ, nhân viên cài đặt ứng dụng.")
    return body


def plan_b_table(figures: Figures) -> Table:
    """II.1 b by district: units that posted the QR board (b2), have someone guiding visitors
    (b4), declare for people without smartphones (b5), still show old codes (b3)."""
    rows = [[row["name"], row["units"], row["b2"], row["b4"], row["b5"], row["b3"]]
            for row in figures.plan_by_district()]
    totals = [sum(row[column] for row in rows) for column in range(1, 6)]
    return Table(["Huyện, thị xã, thành phố", "Số đơn vị", "Niêm yết bảng mã QR", "Có người hướng dẫn",
                  "Khai hộ người không có điện thoại thông minh", "Còn mã QR cũ"],
                 rows + [["Tổng cộng", *totals]], total_row=True)


def plan_c(figures: Figures) -> str:
    """II.1 c: units with a portal account, those that use it, F1 tracing with it."""
    rows = figures.rows
    accounts, assessed = figures.answered(rows, "c1"), figures.assessed(rows, "c1")
    using = sum(1 for row in rows if row.get("items", {}).get("c1") == "yes" and row["items"].get("c2") == "yes")
    tracing = sum(1 for row in rows if row.get("items", {}).get("c1") == "yes" and row["items"].get("c3") == "yes")
    return (f"Số đơn vị có tài khoản quản lý trên quanly.pccovid.gov.vn: {_share(accounts, assessed)}; trong đó "
            f"khai thác thống kê, báo cáo phục vụ chỉ đạo: {_share(using, accounts)}; sử dụng phục vụ truy vết F1: "
            f"{_share(tracing, accounts)}.")


def follow_up_lines(figures: Figures) -> list[str]:
    """The follow-up in the body (plan I: đôn đốc, nhắc nhở, xử lý)."""
    follow = figures.follow_up()
    if not follow["corrections"]:
        return ["Không có đơn vị phải khắc phục tồn tại."]
    return [
        f"Đã yêu cầu {vietnamese_number(follow['asked'])} đơn vị khắc phục "
        f"{vietnamese_number(follow['corrections'])} tồn tại, có thời hạn (chi tiết tại Phụ lục III).",
        f"Đôn đốc (gia hạn, kiểm tra lại): {vietnamese_number(follow['urged'])} đơn vị; nhắc nhở bằng văn bản: "
        f"{vietnamese_number(follow['reminded'])} đơn vị; đề nghị cơ quan có thẩm quyền xử lý: "
        f"{vietnamese_number(follow['handled'])} đơn vị.",
        f"Kết quả: đã khắc phục {vietnamese_number(follow['fixed'])}, không khắc phục "
        f"{vietnamese_number(follow['not_fixed'])}, đang theo dõi {vietnamese_number(follow['open'])} tồn tại.",
    ]


def report_context(report, *, issued_on: datetime.date | None = None) -> dict:
    """The report in the document layer's terms. `issued_on` dates a report not yet
    approved (default: the day the report records, else today); a report not yet approved
    says DỰ THẢO on every page."""
    figures = Figures(report.snapshot)
    snapshot, campaign = report.snapshot, report.snapshot["campaign"]
    total = figures.total.count
    kinds = "; ".join(f"{name}: {vietnamese_number(units)}" for name, _visits, units in figures.by_category())
    body = [
        *legal_basis_lines([campaign["legal_basis"]]),
        f"Thực hiện {plan_reference(_Campaign(campaign))}, Sở Thông tin và Truyền thông báo cáo kết quả kiểm tra "
        f"như sau:",
        f"Thành phần: {vietnamese_number(snapshot['teams'])} tổ kiểm tra, "
        f"{vietnamese_number(snapshot['members'])} thành viên, gồm: {team_text(snapshot)}.",
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
        if code == "a":
            body.extend(plan_a(figures, report))
        elif code == "b":
            body.append(plan_b_table(figures))
            body.append(qr_table(figures))
        else:
            body.append(plan_c(figures))
    body.append(Heading("4. Kết quả chung theo từng tiêu chí"))
    body.append(criteria_table(figures))
    body.append(Heading("5. Kết quả theo địa bàn"))
    body.append(district_table(figures))
    body.append(Heading("6. Việc đôn đốc, nhắc nhở, xử lý"))
    body.extend(follow_up_lines(figures))
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


class _StyledCell(Cell):
    """A cell whose style's number in the workbook is found once, when it is made: openpyxl
    finds it again (hashing the style's nine numbers) each time it writes a cell out, a sixth
    of the annex's time when one cell is written out for every row of a column (`fill`)."""

    __slots__ = ("style_id",)
    has_style = True


class _AnnexSheet:
    """A write-only sheet: a merged title and subtitle over the table's width, then its bold,
    bordered header row (row 4, frozen and repeated on every printed page); data from row 5,
    appended in order, each row as tall as its most wrapped cell (a spreadsheet does not
    grow a row it did not lay out itself)."""

    FIRST = 5

    def __init__(self, workbook, name: str, title: str, subtitle: str, headers: list, widths: list):
        self.sheet = sheet = workbook.create_sheet(name)
        # Every row appended is a list of styled cells (`_cell`), never plain values.
        sheet._values_to_row = self._numbered
        self.widths, self._arrays = widths, {}
        self.fits = [max(int((width or 10) * 1.1), 1) for width in widths]  # characters a line holds
        last = get_column_letter(len(headers))
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A5"
        # A row of one line of 12 pt text, unless it says otherwise (`row` sets the taller ones).
        sheet.sheet_format.defaultRowHeight, sheet.sheet_format.customHeight = LINE_HEIGHT, True
        print_setup(sheet, title_rows="4:4")
        sheet.merged_cells.add(f"A1:{last}1")
        sheet.merged_cells.add(f"A2:{last}2")
        sheet.row_dimensions[1].height = 36
        # the header row as tall as its most wrapped title ("Sở, ban, ngành cấp tỉnh" takes two lines)
        sheet.row_dimensions[4].height = LINE_HEIGHT * max(
            (_lines(str(header), width or 10) for header, width in zip(headers, widths, strict=True)), default=1)
        sheet.append([self._cell(title, "annex-title")])
        sheet.append([self._cell(subtitle, "annex-subtitle")])
        sheet.append([])
        sheet.append([self._cell(header, "annex-header") for header in headers])
        self.next_row = self.FIRST

    def _cell(self, value, style: str) -> Cell:
        """A cell of a named style. The style's array is looked up once per sheet and given to
        each cell (setting `cell.style` by name searches the workbook's styles every time: at
        85,000 visits × 13 columns that search was a third of the annex's time)."""
        array = self._arrays.get(style)
        if array is None:
            probe = WriteOnlyCell(self.sheet)
            probe.style = style
            array = self._arrays[style] = probe._style
        cell = _StyledCell(self.sheet, row=1, column=1, value=value, style_array=array)
        cell.style_id = self.sheet.parent._cell_styles.add(array)
        return cell

    @staticmethod
    def _numbered(cells, row_idx):
        """The row's cells, numbered: what the write-only sheet's own conversion yields for
        cells, without trying each one as a plain value first (a caught ValueError per cell)."""
        for column, cell in enumerate(cells, 1):
            cell.row, cell.column = row_idx, column
            yield cell

    def row(self, values: list, *, bold: bool = False) -> int:
        """Append one bordered row (dates real dates shown dd/mm/yyyy); returns its number."""
        lines, cells, plain = 1, [], "annex-bold" if bold else "annex-cell"
        for column, value in enumerate(values):
            if isinstance(value, datetime.date):
                cells.append(self._cell(value, "annex-bold-date" if bold else "annex-date"))
                continue
            if isinstance(value, str) and not value.startswith("=SUM("):
                if len(value) > self.fits[column] or "\n" in value:
                    lines = max(lines, _lines(value, self.widths[column] or 10))
                value = safe_text(value)
            cells.append(self._cell(value, plain))
        if lines > 1:  # a row of one line keeps the sheet's default height
            self.sheet.row_dimensions[self.next_row].height = LINE_HEIGHT * lines
        self.sheet.append(cells)
        self.next_row += 1
        return self.next_row - 1

    def fill(self, rows, styles: list[str]) -> None:
        """Append many bordered rows as `row` does, a named style per column (dates real
        dates, text kept text, each row as tall as its most wrapped cell). One cell a column
        takes each row's value in turn: the write-only sheet writes a row's cells out before
        the next row is asked for, so the list of a million visits makes no million cells."""
        cells = [self._cell(None, style) for style in styles]
        fits, widths, heights = self.fits, [width or 10 for width in self.widths], self.sheet.row_dimensions
        append, number = self.sheet.append, self.next_row
        for values in rows:
            lines = 1
            for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
                kind = value.__class__
                if kind is str:
                    if len(value) > fits[column] or "\n" in value:
                        lines = max(lines, _lines(value, widths[column]))
                    value = safe_text(value)
                    if value.__class__ is str:  # safe_text took out what a cell cannot hold, and
                        cell._value, cell.data_type = value[:32767], "s"  # made text that looks like
                        continue  # a formula rich text: openpyxl's own checks would find nothing
                elif kind is int or value is None:
                    cell._value, cell.data_type = value, "n"
                    continue
                cell.value = value  # a date, rich text: openpyxl's conversion
            if lines > 1:
                heights[number].height = LINE_HEIGHT * lines
            append(cells)
            number += 1
        self.next_row = number


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped cell takes in a column `width` characters wide (Times New
    Roman 12 pt fits about 1.1 characters per width unit)."""
    per_line = max(int(width * 1.1), 1)
    return sum(max(math.ceil(len(part) / per_line), 1) for part in text.split("\n"))


def annex_subtitle(report) -> str:
    header = report_number(report)
    issued = f" ngày {header.day:%d/%m/%Y}" if header.day else ""
    return (f"(Kèm theo Báo cáo {header.number_line.removeprefix('Số: ').strip()}{issued} của Sở Thông tin và "
            f"Truyền thông; số liệu tính đến ngày {report.as_of:%d/%m/%Y})")


def report_annex(report) -> bytes:
    """The Phụ lục: units by district × category, results per criterion and by district,
    the units short of compliance with their follow-up, and the list of every visit
    counted, so each figure can be traced. Totals are formulas Excel recomputes. Written
    write-only with named styles, without the snapshot: its tables from the stored digest and
    from counts PostgreSQL makes, its lists streamed out of the stored jsonb a chunk at a
    time (`AnnexReading`), so the memory is a chunk's and a row's, whatever the campaign's size."""
    reading = AnnexReading.of(report)
    digest = reading.digest
    subtitle = annex_subtitle(report)
    workbook = Workbook(write_only=True)
    for style in _styles().values():
        workbook.add_named_style(style)
    workbook.properties.created = datetime.datetime.combine(report_number(report).day, datetime.time(8))  # as issued

    categories = reading.categories
    sheet = _AnnexSheet(workbook, "Tổng hợp", "PHỤ LỤC I\nSỐ LƯỢT KIỂM TRA THEO ĐỊA BÀN VÀ LOẠI HÌNH", subtitle,
                        ["STT", "Huyện, thị xã, thành phố", *(name for _code, name in categories), "Tổng"],
                        [6, 30, *([16] * len(categories)), 10])
    first = _AnnexSheet.FIRST
    matrix = reading.matrix()
    last_cell = get_column_letter(2 + len(categories))
    for index, (name, counts) in enumerate(matrix):
        row = first + index
        sheet.row([index + 1, name, *counts, f"=SUM(C{row}:{last_cell}{row})" if categories else 0])
    total_row = first + len(matrix)
    sheet.row(["", "Tổng cộng", *(
        f"=SUM({get_column_letter(column)}{first}:{get_column_letter(column)}{total_row - 1})"
        for column in range(3, 4 + len(categories)))], bold=True)

    sheet = _AnnexSheet(workbook, "Theo tiêu chí", "PHỤ LỤC II\nKẾT QUẢ THEO TIÊU CHÍ VÀ THEO ĐỊA BÀN", subtitle,
                        ["Tiêu chí / Địa bàn", "Đạt", "Đạt một phần", "Chưa đạt", "Tổng"], [40, 12, 14, 12, 12])
    for code, *counts in digest.criteria():
        row = sheet.next_row
        sheet.row([CRITERION_NAMES[code], *(f.count for f in counts), f"=SUM(B{row}:D{row})"], bold=code == "overall")
    sheet.sheet.append([])  # a blank row between the two tables
    sheet.next_row += 1
    sheet.row(["Kết luận chung theo địa bàn", "Đạt", "Đạt một phần", "Chưa đạt", "Tổng"], bold=True)
    start = sheet.next_row
    for name, _total, *parts in digest.by_district():
        row = sheet.next_row
        sheet.row([name, *(f.count for f in parts), f"=SUM(B{row}:D{row})"])
    row = sheet.next_row
    sheet.row(["Tổng cộng", *(f"=SUM({c}{start}:{c}{row - 1})" for c in "BCDE")], bold=True)

    districts, kinds = digest.district_names, digest.category_names
    sheet = _AnnexSheet(
        workbook, "Chưa đạt", "PHỤ LỤC III\nĐƠN VỊ CHƯA ĐẠT HOẶC ĐẠT MỘT PHẦN VÀ VIỆC THEO DÕI KHẮC PHỤC",
        subtitle, ["STT", "Đơn vị", "Huyện, thị xã, thành phố", "Loại hình", "Ngày kiểm tra", "Kết luận chung",
                   "Yêu cầu khắc phục", "Thời hạn", "Tình trạng theo dõi", "Mã lượt"],
        [6, 34, 22, 22, 13, 14, 40, 12, 18, 9])
    outcomes, none = outcome_texts(), [{"description": "", "deadline": "", "outcome": ""}]
    sheet.fill((
        [index, unit, districts.get(district, ""), kinds.get(category, ""), on, conclusion_text(overall),
         correction["description"], as_date(correction["deadline"]),
         outcomes.get(correction["outcome"], correction["outcome"]), visit_id]
        for index, (visit_id, unit, district, category, on, overall, corrections)
        in enumerate(reading.short_of_compliance(report), start=1)
        for correction in corrections or none),
        ["annex-cell"] * 4 + ["annex-date", "annex-cell", "annex-cell", "annex-date", "annex-cell", "annex-cell"])

    sheet = _AnnexSheet(workbook, "Danh sách lượt", "PHỤ LỤC IV\nDANH SÁCH CÁC LƯỢT KIỂM TRA ĐƯỢC TÍNH", subtitle,
                        ["STT", "Mã lượt", "Đơn vị", "Huyện, thị xã, thành phố", "Xã, phường, thị trấn", "Loại hình",
                         "Ngày kiểm tra", *(CRITERION_NAMES[code] for code in CRITERIA), "Số mã QR đã tạo",
                         "Lượt quét 7 ngày"],
                        [6, 9, 34, 22, 22, 22, 13, 16, 16, 16, 14, 12, 12])
    text = CONCLUSION_TEXT.get
    sheet.fill((
        [index, visit_id, unit, districts.get(district, ""), commune, kinds.get(category, ""), on,
         text(a, ""), text(b, ""), text(c, ""), text(overall, ""), qr_codes, scans]
        for index, (visit_id, unit, district, commune, category, on, a, b, c, overall, qr_codes, scans)
        in enumerate(reading.visits(report), start=1)),
        ["annex-cell"] * 6 + ["annex-date"] + ["annex-cell"] * 6)
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
    # Stored under the year and day of issue, as a records office files them.
    issued = issuing_day(report)
    stem = f"reports/{issued:%Y}/bao-cao-{report.pk}-{issued:%Y%m%d}-r{revision}"
    document = default_storage.save(f"{stem}.docx", ContentFile(report_docx(report)))
    annex = default_storage.save(f"{stem}-phu-luc.xlsx", ContentFile(report_annex(report)))
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
