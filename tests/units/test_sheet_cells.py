"""units.sheet_cells reads a worksheet's values as openpyxl's read-only worksheet does: the two
are compared on every kind of cell, on a workbook written by openpyxl (styles: dates, times,
durations) and on one written by hand (shared strings, rows and cells without references, rows
out of order, rich and phonetic text), at several first rows and widths."""

import datetime
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from tests.units.workbook_builders import HEADER, package_parts, sheet_xml_xlsx
from units import sheet_cells
from units.importing import ImportFileError, open_sheet


def openpyxl_rows(path, *, min_row, width):
    """The reference: openpyxl's own reading, as the import used it."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    worksheet = workbook.worksheets[0]
    worksheet.reset_dimensions()
    rows = list(worksheet.iter_rows(min_row=min_row, max_col=width, values_only=True))
    workbook.close()
    return rows


def fast_rows(path, *, min_row, width):
    workbook = sheet_cells.open_workbook(path)
    worksheet = workbook.worksheets[0]
    worksheet.reset_dimensions()
    rows = list(sheet_cells.worksheet_rows(worksheet, min_row=min_row, width=width))
    workbook.close()
    return rows


@pytest.fixture
def written_by_openpyxl(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Tên cơ sở", "Số", "Thập phân", "Lớn", "Đúng", "Sai", "Lúc", "Ngày", "Giờ", "Thời lượng",
                  "Công thức", "Lỗi", None, "  Khoảng trắng  ", "Hai\ndòng", "", 0])
    sheet.append(["Chợ Nghèn", 912345678, 1.5, 1e20, True, False, datetime.datetime(2021, 11, 20, 8, 30),
                  datetime.date(2021, 11, 20), datetime.time(7, 45), datetime.timedelta(hours=30), "=B2*2", "#N/A"])
    sheet["A5"] = "a row after two left out"
    sheet["F5"] = -12
    sheet.cell(row=5, column=25, value="beyond every width below")
    sheet["C6"] = CellRichText(["Chợ ", TextBlock(InlineFont(b=True), "Nghèn")])
    sheet["D7"] = 10 ** 10  # a date style on a serial past any date: openpyxl's "#VALUE!"
    sheet["D7"].number_format = "dd/mm/yyyy"
    sheet["E7"] = 44520
    sheet["E7"].number_format = "dd/mm/yyyy"
    path = tmp_path / "openpyxl.xlsx"
    workbook.save(path)
    return path


SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>
<row><c t="s"><v>2</v></c><c t="n"><v>42</v></c><c><v>3.25</v></c><c t="b"><v>1</v></c><c><v>1E-3</v></c></row>
<row r="5"><c r="B5" t="str"><v>a formula's text</v></c><c r="D5" t="e"><v>#DIV/0!</v></c>
 <c r="E5" t="d"><v>2021-11-20T08:30:00</v></c><!-- a comment among the cells --><c r="F5"><v></v></c></row>
<row r="4"><c r="A4" t="s"><v>0</v></c></row>
<row r="6.0"><c r="A6" t="inlineStr"><is><r><t>Chợ </t></r><r><rPr><b/></rPr><t>Nghèn</t></r>
 <rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c><c r="B6" t="inlineStr"><is><t xml:space="preserve">  a  </t></is></c>
 <c r="C6" t="inlineStr"/><c r="D6" t="inlineStr"><is><t/></is></c>
 <c r="E6" t="inlineStr"><is><t>x&amp;y &#272;</t></is></c>
 <c t="s"><v>1</v></c></row>
<row r="8" spans="1:3" ht="20" customHeight="1"><c r="Z8" t="s"><v>1</v></c><c r="B8"><v>7</v></c></row>
<row r="9"/>
</sheetData></worksheet>"""


@pytest.fixture
def written_by_hand(tmp_path):
    path = tmp_path / "hand.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in package_parts(["Tên cơ sở", "Hà Tĩnh", "  với khoảng trắng  "]).items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", SHEET)
    return path


@pytest.mark.filterwarnings("ignore:Cell D7 is marked as a date")
@pytest.mark.parametrize(("min_row", "width"), [(1, 17), (2, 12), (3, 30), (6, 1)])
def test_a_workbook_written_by_openpyxl_reads_as_openpyxl_reads_it(written_by_openpyxl, min_row, width):
    expected = openpyxl_rows(written_by_openpyxl, min_row=min_row, width=width)
    assert fast_rows(written_by_openpyxl, min_row=min_row, width=width) == expected
    assert [tuple(map(type, row)) for row in fast_rows(written_by_openpyxl, min_row=min_row, width=width)] == [
        tuple(map(type, row)) for row in expected]


def test_what_the_openpyxl_workbook_holds(written_by_openpyxl):
    """The comparison above is not of two empty lists: the kinds of value it covers."""
    with pytest.warns(UserWarning, match="Cell D7 is marked as a date"):
        rows = fast_rows(written_by_openpyxl, min_row=2, width=12)
    assert rows[0] == ("Chợ Nghèn", 912345678, 1.5, 1e20, True, False, datetime.datetime(2021, 11, 20, 8, 30),
                       datetime.datetime(2021, 11, 20), datetime.time(7, 45), datetime.timedelta(hours=30), None,
                       "#N/A")
    assert rows[1:3] == [(None,) * 12] * 2  # rows 3 and 4 are not in the file
    assert rows[4][2] == "Chợ Nghèn" and rows[5][3:5] == ("#VALUE!", datetime.datetime(2021, 11, 20))


@pytest.mark.parametrize(("min_row", "width"), [(1, 6), (2, 3), (3, 26), (7, 30)])
def test_a_workbook_written_by_hand_reads_as_openpyxl_reads_it(written_by_hand, min_row, width):
    expected = openpyxl_rows(written_by_hand, min_row=min_row, width=width)
    assert fast_rows(written_by_hand, min_row=min_row, width=width) == expected


def test_what_the_hand_written_workbook_holds(written_by_hand):
    rows = fast_rows(written_by_hand, min_row=1, width=6)
    assert rows[:2] == [("Tên cơ sở", None, "Hà Tĩnh", None, None, None),
                        ("  với khoảng trắng  ", 42, 3.25, True, 0.001, None)]
    assert rows[4] == (None, "a formula's text", None, "#DIV/0!", datetime.datetime(2021, 11, 20, 8, 30), None)
    assert rows[5] == ("Chợ Nghèn", "  a  ", None, "", "x&y Đ", "Hà Tĩnh")  # row 4, out of order, is not read
    assert rows[6:] == [(None,) * 6, (None, 7, None, None, None, None), (None,) * 6]


@pytest.mark.parametrize("dimension", [True, False])
def test_a_worksheet_states_the_size_openpyxl_reads(tmp_path, written_by_openpyxl, dimension):
    path = tmp_path / "sized.xlsx"
    sheet_xml_xlsx(path, header=HEADER, row=HEADER, rows=40, dimension=dimension)
    for workbook_path in (path, written_by_openpyxl):
        reference = openpyxl.load_workbook(workbook_path, read_only=True).worksheets[0]
        worksheet = sheet_cells.open_workbook(workbook_path).worksheets[0]
        size = (worksheet.min_row, worksheet.min_column, worksheet.max_row, worksheet.max_column)
        assert size == (reference.min_row, reference.min_column, reference.max_row, reference.max_column)
    assert sheet_cells.open_workbook(path).worksheets[0].max_row == (41 if dimension else None)


def test_a_worksheet_declaring_entities_is_refused(tmp_path):
    """An entity is never expanded (a "billion laughs" sheet would fill the memory): the file is
    refused, as openpyxl refuses it when it reads with defusedxml."""
    path = tmp_path / "entities.xlsx"
    sheet = SHEET.replace('<worksheet', '<!DOCTYPE worksheet [<!ENTITY a "Hà Tĩnh">]><worksheet', 1).replace(
        "x&amp;y", "&a;")
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in package_parts(["Tên cơ sở", "Địa chỉ"]).items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(ValueError, match="Unable to read workbook") as refused:  # openpyxl's wording around it
        sheet_cells.open_workbook(path)
    assert isinstance(refused.value.__cause__, sheet_cells.EntitiesForbidden)
    with pytest.raises(ImportFileError):
        open_sheet(path)
