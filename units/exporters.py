"""Spreadsheet exports, as pretix writes them: an exporter only says what its sheet
holds (a title, a header row, data rows); `render_xlsx` turns one or more exporters
into an .xlsx through openpyxl's write-only mode (one row in memory at a time), user
text kept as text (`safe_text`), dates and numbers as typed cells."""

import datetime
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from units.workbooks import XLSX, safe_text

PROGRESS_EVERY = 1000  # rows between two calls of render_xlsx's `progress`
_COLUMN_WIDTH = 18
DATE_FORMAT = "dd/mm/yyyy"
_MOMENT_FORMAT = "dd/mm/yyyy hh:mm"
_BOLD = Font(bold=True)


class ListExporter(ABC):
    """One sheet of an export. A subclass gives `headers()` and a `rows()` generator that
    starts from a scoped queryset (`visible_to`) and builds its lookups before the loop;
    it may name the sheet (`title()`), set column widths (`widths()`) and, where a job shows
    a progress bar, say how many rows are coming (a `count()` of its own)."""

    def title(self) -> str | None:
        return None  # openpyxl's default sheet name

    def widths(self) -> list[float] | None:
        """Column widths (in characters), or None for the same width everywhere."""
        return None

    @abstractmethod
    def headers(self) -> list[str]:
        """The header row."""

    @abstractmethod
    def rows(self) -> Iterable[list]:
        """The data rows, one list of cells each."""


class UnitExporter(ListExporter):
    """The units of a (filtered, scoped) queryset, one row each, in Vietnamese order."""

    def __init__(self, units):
        self.units = units

    def title(self):
        return _("Units")

    def widths(self):
        return [40, 22, 24, 24, 30, 24, 20, 14, 26, 22, 22, 14, 12, 10, 10]

    def headers(self):
        return [_("Name"), _("Category"), _("District"), _("Commune"), _("Address"), _("Representative"),
                _("Title"), _("Phone"), _("E-mail"), _("Location QR status"), _("Portal location code"),
                pgettext("export header", "QR code created on"), _("Staff count"), _("Active"), _("Sample data")]

    def rows(self):
        units = (self.units.select_related("category", "commune__parent").in_vietnamese_order()
                 .iterator(chunk_size=2000))
        for unit in units:
            yield [
                unit.name, str(unit.category), unit.commune.parent.name, unit.commune.name, unit.address,
                unit.representative_name, unit.representative_title, unit.phone, unit.email,
                unit.get_qr_status_display(), unit.qr_location_code,
                unit.qr_created_on,
                unit.staff_count, _("Yes") if unit.is_active else _("No"),
                _("Yes") if unit.is_sample else _("No"),
            ]


def _cell(sheet, value):
    """User text stays text (`safe_text`); dates and times are real, formatted cells."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _MOMENT_FORMAT if isinstance(value, datetime.datetime) else DATE_FORMAT
        return cell
    return value


def print_setup(sheet, *, title_rows: str) -> None:
    """Every spreadsheet prints: A4 landscape, as wide as one page (fitToPage is the flag
    without which Excel and LibreOffice ignore fitToWidth), as many pages down as it takes,
    the header rows (`title_rows`, e.g. "1:1") repeated on every page."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6


EXCEL_MAX_ROWS = 1_048_576  # a sheet's rows in Excel and LibreOffice, its header included


def _new_sheet(workbook, exporter, part: int):
    """A sheet of the exporter, its header row written; the second and later parts of a long
    list are named "Title (2)", "Title (3)", … (31 characters at most, Excel's limit)."""
    title = exporter.title()
    if part > 1:
        suffix = f" ({part})"
        title = f"{(title or 'Sheet')[:31 - len(suffix)]}{suffix}"
    sheet = workbook.create_sheet(title)
    headers = exporter.headers()
    widths = getattr(exporter, "widths", lambda: None)() or [_COLUMN_WIDTH] * len(headers)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    print_setup(sheet, title_rows="1:1")
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = _BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    return sheet


def render_xlsx(exporters, handle, *, progress=None, rows_per_sheet: int = EXCEL_MAX_ROWS - 1) -> int:
    """Write each exporter as one sheet of a write-only workbook to handle: its title,
    a bold frozen header row (repeated on every printed page), then its rows; printed on A4
    landscape, one page wide. A list longer than a sheet holds (`rows_per_sheet` data rows,
    Excel's limit by default) goes on in a sheet of the same header, "Title (2)" and so on.
    `progress(rows_written)` is called every PROGRESS_EVERY rows, counting across sheets;
    returns the number of rows written."""
    workbook = Workbook(write_only=True)
    written = 0
    for exporter in exporters:
        part, on_sheet = 1, 0
        sheet = _new_sheet(workbook, exporter, part)
        for row in exporter.rows():
            if on_sheet == rows_per_sheet:
                part, on_sheet = part + 1, 0
                sheet = _new_sheet(workbook, exporter, part)
            sheet.append([_cell(sheet, value) for value in row])
            on_sheet += 1
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
    workbook.save(handle)
    return written


def xlsx_response(exporters, *, filename: str) -> FileResponse:
    """The exporters' workbook as a download, spooled through a temporary file."""
    handle = tempfile.TemporaryFile()
    render_xlsx(exporters, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
