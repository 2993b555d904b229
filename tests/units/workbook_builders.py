"""Workbooks like the ones DIC staff receive, built with openpyxl for the tests."""

import io
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = ["STT", "Tên cơ sở", "Loại hình", "Huyện/TX/TP", "Xã, phường, thị trấn", "Địa chỉ", "Số điện thoại",
          "Mã địa điểm", "Ngày tạo mã"]


def workbook_bytes(rows, *, header=HEADER, title_rows=2) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title_rows:
        sheet.append(["UBND TỈNH HÀ TĨNH"])
        sheet.append(["DANH SÁCH CƠ SỞ TRIỂN KHAI QUÉT MÃ QR (dữ liệu thử)"])
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    sheet.append(header)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows, name="danh-sach.xlsx", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(rows, **options),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def sheet_xml_xlsx(path, *, header, row, rows: int, dimension: bool = True, compresslevel: int = 1) -> None:
    """An .xlsx written part by part with zipfile, not openpyxl, so that a sheet of millions of
    rows is written in a second or two: `rows` copies of the same data row under the header,
    the sheet's <dimension> stated or left out as some programs do. The texts are shared
    strings and rows and cells carry no reference (the format allows it), so the copies are
    identical bytes and pack like a bomb."""
    strings = list(dict.fromkeys([*header, *row]))

    def cells(values):
        return "".join(f'<c t="s"><v>{strings.index(value)}</v></c>' for value in values)

    last = f'<dimension ref="A1:{chr(64 + len(header))}{rows + 1}"/>' if dimension else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, text in package_parts(strings).items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
                         f'.org/spreadsheetml/2006/main">{last}<sheetData><row>{cells(header)}</row>').encode())
            chunk = f"<row>{cells(row)}</row>".encode() * 10_000
            for _ in range(rows // 10_000):
                sheet.write(chunk)
            sheet.write(f"<row>{cells(row)}</row>".encode() * (rows % 10_000))
            sheet.write(b"</sheetData></worksheet>")


def package_parts(strings) -> dict[str, str]:
    """The parts of a minimal .xlsx but its one worksheet (xl/worksheets/sheet1.xml), with
    `strings` as its shared strings."""
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main">{"".join(f"<si><t>{text}</t></si>" for text in strings)}</sst>'),
    }
