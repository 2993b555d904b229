"""Workbooks the registry hands out: the import template and the report of the rows an
import could not take, and `safe_text` so that user text written into a cell stays text."""

import datetime
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.cell.rich_text import CellRichText
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from units.importing import COLUMN_NAMES, FIELDS
from units.models import UnitCategory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Spreadsheet programs read a cell starting with these as a formula (CSV and formula
# injection); a tab or carriage return hides such a start from a quick look.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DATE_FORMAT = "dd/mm/yyyy"
_BOLD = Font(bold=True)

# The template's example row, one value per FIELDS entry; the reader skips a row whose
# name starts with "Ví dụ".
_EXAMPLE = {
    "name": "Ví dụ: Chợ thành phố Hà Tĩnh — xóa dòng này",
    "category": "Chợ",
    "district": "Thành phố Hà Tĩnh",
    "commune": "Phường Trần Phú",
    "address": "Đường Phan Đình Phùng",
    "representative_name": "Nguyễn Văn A",
    "representative_title": "Trưởng ban quản lý chợ",
    "phone": "0912345678",
    "email": "bqlcho@example.vn",
    "qr_status": "Đã niêm yết",
    "qr_location_code": "HT18070-0001",
    "qr_created_on": datetime.date(2021, 11, 20),
    "staff_count": 12,
    "is_active": "Có",
}
_WIDTHS = {"name": 40, "category": 24, "district": 22, "commune": 22, "address": 36, "representative_name": 24,
           "representative_title": 24, "phone": 14, "email": 26, "qr_status": 18, "qr_location_code": 18,
           "qr_created_on": 14, "staff_count": 12, "is_active": 14}
# Drop-down lists for the columns with fixed answers (the reader accepts more spellings).
_CHOICES = {"qr_status": "Chưa tạo,Đã tạo,Đã niêm yết", "is_active": "Có,Không"}


def safe_text(value):
    """A cell value such that user text stays text, for `sheet.append` or `sheet.cell`,
    in write-only mode or not.

    A string that a spreadsheet would take for a formula ("=1+1", "+84…", "-", "@…") or
    an error code ("#N/A") comes back wrapped as rich text: openpyxl writes that as an
    inline string, never a formula, and reads it back as the same plain str. Other
    strings come back as they are, without the control characters an .xlsx cannot hold;
    anything else unchanged.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(_FORMULA_STARTS) and value not in ERROR_CODES:
        return value
    return CellRichText(value)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_template() -> bytes:
    """The .xlsx staff fill in to import units: a title, the header `open_sheet`
    recognises (one column per importable field), one example row, and a second sheet
    listing the accepted values. Queries the categories once."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách đơn vị"
    sheet.append(["DANH SÁCH ĐƠN VỊ, CƠ SỞ (mẫu nhập vào hệ thống)"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(FIELDS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["Điền từ dòng 4. Dòng 4 là ví dụ: xóa dòng đó trước khi nhập. Xem sheet “Hướng dẫn”."])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(FIELDS))
    sheet["A2"].font = Font(italic=True, color="C00000")

    sheet.append([COLUMN_NAMES[name][0].rstrip("…") for name in FIELDS])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[3]:
        cell.font = _BOLD
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.append([_EXAMPLE[name] for name in FIELDS])
    for cell in sheet[4]:
        cell.font = Font(italic=True, color="808080")
    sheet.cell(row=4, column=1).comment = Comment("Dòng ví dụ: hệ thống bỏ qua dòng này, hãy xóa đi.", "Sở TT&TT")

    for index, name in enumerate(FIELDS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _WIDTHS[name]
        if name == "phone":
            # As text, so that Excel keeps the leading 0.
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=4, column=index).number_format = "@"
        elif name == "qr_created_on":
            sheet.column_dimensions[letter].number_format = _DATE_FORMAT
            sheet.cell(row=4, column=index).number_format = _DATE_FORMAT
        if name in _CHOICES:
            validation = DataValidation(type="list", formula1=f'"{_CHOICES[name]}"', allow_blank=True)
            validation.add(f"{letter}4:{letter}5000")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "B4"

    guide = workbook.create_sheet("Hướng dẫn")
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 90
    guide.append(["Cột", "Cách điền"])
    for cell in guide[1]:
        cell.font = _BOLD
    for column, explanation in [
        ("Tên đơn vị", "Bắt buộc."),
        ("Loại hình", "Một trong các loại bên dưới; để trống hoặc loại khác thì xếp vào “Khác”."),
        ("Huyện/TX/TP", "Tên (có hoặc không có dấu, có hoặc không có “Huyện”, “Thị xã”, “Thành phố”) "
                        "hoặc mã huyện. Có thể để trống nếu tên xã không trùng với xã khác."),
        ("Xã, phường, thị trấn", "Bắt buộc. Tên hoặc mã xã."),
        ("Số điện thoại", "0 và 9 hoặc 10 chữ số, hoặc +84…"),
        ("Trạng thái mã QR", "Chưa tạo / Đã tạo / Đã niêm yết. Để trống: “Đã tạo” nếu có mã địa điểm, "
                             "nếu không thì “Chưa tạo”."),
        ("Ngày tạo mã", "dd/mm/yyyy, ví dụ 20/11/2021."),
        ("Số cán bộ", "Số nguyên không âm."),
        ("Đang hoạt động", "Có / Không (để trống là Có)."),
    ]:
        guide.append([column, explanation])
    guide.append([])
    guide.append(["Loại hình", "Mã"])
    for cell in guide[guide.max_row]:
        cell.font = _BOLD
    for name, code in UnitCategory.objects.order_by("order", "code").values_list("name", "code"):
        guide.append([safe_text(name), code])
    return _save(workbook)


def error_report(headers: list[str], rows: Iterable[tuple[list, str]]) -> bytes:
    """The rows an import did not take, as they were in the uploaded sheet, each with the
    reasons in a last column, so that staff can correct them and upload the file again.

    `rows` is (original cell values, message) per row; written in openpyxl's write-only
    mode, so a long report streams through.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Errors"))
    width = len(headers)
    for index in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 20
    sheet.column_dimensions[get_column_letter(width + 1)].width = 60
    sheet.freeze_panes = "A2"
    header_cells = []
    for text in [*headers, _("Errors / notes")]:
        cell = WriteOnlyCell(sheet, value=safe_text("" if text is None else str(text)))
        cell.font = _BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    for values, message in rows:
        values = [*values[:width], *[None] * (width - len(values))]
        sheet.append([_report_value(sheet, value) for value in values] + [safe_text(message)])
    return _save(workbook)


def _report_value(sheet, value):
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _DATE_FORMAT if not isinstance(value, datetime.datetime) or (
            value.time() == datetime.time()) else "dd/mm/yyyy hh:mm"
        return cell
    return safe_text(value)
