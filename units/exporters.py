"""Exports of the registry: an exporter yields a header row and data rows; one
function turns that into an .xlsx streamed from openpyxl's write-only mode."""

import tempfile

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from units.workbooks import XLSX, safe_text


class UnitExporter:
    """The units of a (filtered, scoped) queryset, one row each, in Vietnamese order."""

    def __init__(self, units):
        self.units = units

    def headers(self):
        return [_("Name"), _("Category"), _("District"), _("Commune"), _("Address"), _("Representative"),
                _("Title"), _("Phone"), _("E-mail"), _("Location QR status"), _("Portal location code"),
                _("QR code created on"), _("Staff count"), _("Active"), _("Sample data")]

    def rows(self):
        units = (self.units.select_related("category", "commune__parent").in_vietnamese_order()
                 .iterator(chunk_size=2000))
        for unit in units:
            yield [
                unit.name, str(unit.category), unit.commune.parent.name, unit.commune.name, unit.address,
                unit.representative_name, unit.representative_title, unit.phone, unit.email,
                unit.get_qr_status_display(), unit.qr_location_code,
                unit.qr_created_on.strftime("%d/%m/%Y") if unit.qr_created_on else "",
                unit.staff_count, _("Yes") if unit.is_active else _("No"),
                _("Yes") if unit.is_sample else _("No"),
            ]


def render_xlsx(exporter, handle) -> None:
    """Write the exporter's rows to handle; user text always stays text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(exporter.headers())
    for row in exporter.rows():
        sheet.append([safe_text(value) if isinstance(value, str) else value for value in row])
    workbook.save(handle)


def xlsx_response(exporter, *, filename: str) -> FileResponse:
    handle = tempfile.TemporaryFile()
    render_xlsx(exporter, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename,
                        content_type=XLSX)
