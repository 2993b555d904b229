import datetime
import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from units.importing import FIELDS, open_sheet
from units.models import Division
from units.services import load_divisions
from units.workbooks import error_report, import_template, safe_text

RISKY = ["=1+1", "+84912345678", "-", "-5 người", "@SUM(A1)", "\t=cmd", "#N/A", '=HYPERLINK("x")']


@pytest.mark.parametrize("write_only", [True, False])
@pytest.mark.parametrize("text", RISKY)
def test_safe_text_keeps_formula_like_text_as_text(text, write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    sheet.append(["trước", safe_text(text), "sau", safe_text("=2+2"), datetime.date(2021, 11, 20)])
    buffer = io.BytesIO()
    workbook.save(buffer)

    cells = list(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())[0]

    assert [cell.value for cell in cells] == ["trước", text, "sau", "=2+2", datetime.datetime(2021, 11, 20)]
    assert [cell.data_type for cell in cells] == ["s", "s", "s", "s", "d"]


def test_safe_text_works_for_a_single_cell_too():
    workbook = Workbook()
    workbook.active.cell(row=1, column=1, value=safe_text("=1+1"))
    buffer = io.BytesIO()
    workbook.save(buffer)

    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]

    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_safe_text_keeps_a_carriage_return_start_as_text():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([safe_text("\r=cmd")])
    buffer = io.BytesIO()
    workbook.save(buffer)

    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]

    # Without lxml, XML reads a bare carriage return back as a line feed; with lxml (a dependency of
    # python-docx) it stays. What matters is that the value is text, never a formula.
    assert (cell.value.lstrip("\r\n"), cell.data_type) == ("=cmd", "s")


def test_safe_text_leaves_plain_values_alone_and_drops_characters_xlsx_cannot_hold():
    assert safe_text("Chợ Hà Tĩnh") == "Chợ Hà Tĩnh"
    assert safe_text("Chợ\x0bHà Tĩnh") == "ChợHà Tĩnh"
    assert safe_text(912345678) == 912345678
    assert safe_text(None) is None
    assert safe_text(datetime.date(2021, 11, 20)) == datetime.date(2021, 11, 20)


@pytest.mark.django_db
def test_the_import_template_is_read_back_with_every_field_and_its_example_row_skipped():
    load_divisions()

    with translation.override("en"), open_sheet(io.BytesIO(import_template())) as sheet:
        rows = list(sheet.rows())

    assert sheet.header_row == 3
    assert list(sheet.columns) == FIELDS
    assert sheet.columns == {field: index for index, field in enumerate(FIELDS)}
    assert [(parsed.row, parsed.status, parsed.warnings) for parsed in rows] == [
        (4, "skipped", ["The example row of the import template; not imported."])]


@pytest.mark.django_db
def test_the_import_template_example_is_a_valid_row_once_its_label_is_removed():
    load_divisions()
    workbook = load_workbook(io.BytesIO(import_template()))
    sheet = workbook.active
    sheet["A4"] = "Chợ thành phố Hà Tĩnh"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    with translation.override("en"), open_sheet(buffer) as reader:
        (parsed,) = reader.rows()

    trần_phú = Division.objects.get(level=Division.Level.COMMUNE, code=18070)
    assert (parsed.status, parsed.errors, parsed.warnings) == ("ok", [], [])
    assert (parsed.data["commune"], parsed.data["phone"], parsed.data["qr_status"], parsed.data["qr_created_on"]) == (
        trần_phú.pk, "0912345678", "posted", datetime.date(2021, 11, 20))


@pytest.mark.django_db
def test_the_import_template_has_a_bold_header_widths_and_a_guide_listing_categories():
    workbook = load_workbook(io.BytesIO(import_template()))
    sheet = workbook.worksheets[0]

    assert [cell.font.bold for cell in sheet[3]] == [True] * len(FIELDS)
    assert sheet.column_dimensions["A"].width == 40
    assert sheet["A4"].value.startswith("Ví dụ")
    assert sheet["H4"].data_type == "s"  # the phone keeps its leading 0
    guide = workbook["Hướng dẫn"]
    assert ["Chợ", "cho"] in [[cell.value for cell in line] for line in guide.iter_rows()]


def test_the_error_report_writes_the_original_rows_and_their_messages():
    headers = ["STT", "Tên đơn vị", "Xã", "Số điện thoại", "Ngày tạo mã"]
    rows = [
        ([1, "=1+1", "Tân Lộc", 912, datetime.datetime(2021, 11, 20)], "“912” is not a Vietnamese phone number."),
        ([2, None, "Trần Phú"], "The unit name is missing."),
        ([3, "-Chợ", "@Xã", "+84912345678", "20/11/2021", "extra"], "=HYPERLINK(\"x\")"),
    ]

    with translation.override("en"):
        content = error_report(headers, rows)

    sheet = load_workbook(io.BytesIO(content)).active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert values == [
        [*headers, "Errors / notes"],
        [1, "=1+1", "Tân Lộc", 912, datetime.datetime(2021, 11, 20), "“912” is not a Vietnamese phone number."],
        [2, None, "Trần Phú", None, None, "The unit name is missing."],
        [3, "-Chợ", "@Xã", "+84912345678", "20/11/2021", "=HYPERLINK(\"x\")"],
    ]
    assert sheet["B2"].data_type == "s"
    assert sheet["F4"].data_type == "s"
    assert sheet["E2"].number_format == "dd/mm/yyyy"
    assert sheet["A1"].font.bold


def test_a_formula_like_header_stays_text_in_the_error_report():
    sheet = load_workbook(io.BytesIO(error_report(["=Tên", "Xã"], []))).active

    assert [(cell.value, cell.data_type) for cell in sheet[1]][:2] == [("=Tên", "s"), ("Xã", "s")]
