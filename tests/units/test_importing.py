import datetime
import io
import re
import unicodedata
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from units import services
from units.importing import FIELDS, ImportFileError, open_sheet
from units.models import Division, UnitCategory
from units.services import load_divisions

HEADER = ["STT", "Tên đơn vị", "Loại hình", "Huyện/TX/TP", "Xã, phường, thị trấn", "Địa chỉ", "Người đại diện",
          "Chức vụ", "Số điện thoại", "Email", "Trạng thái mã QR", "Mã địa điểm", "Ngày tạo mã", "Số cán bộ",
          "Đang hoạt động"]


def xlsx(rows, *, merge_title_over=None) -> io.BytesIO:
    """An .xlsx in memory with these rows on its first sheet (None for an empty cell)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    if merge_title_over:
        sheet.merge_cells(merge_title_over)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def row(**values):
    """A data row under HEADER, from field names."""
    order = ["number", *FIELDS]
    return [values.get(name) for name in order]


def parse(*data_rows, header=HEADER):
    """The ParsedRows of a sheet with HEADER on row 1, in English."""
    with translation.override("en"), open_sheet(xlsx([header, *data_rows])) as sheet:
        return list(sheet.rows())


def parse_one(**values):
    values.setdefault("name", "Chợ Hà Tĩnh")
    values.setdefault("commune", "Phường Trần Phú")
    (parsed,) = parse(row(**values))
    return parsed


def commune(code):
    return Division.objects.get(level=Division.Level.COMMUNE, code=code)


def district(code):
    return Division.objects.get(level=Division.Level.DISTRICT, code=code)


def category(code):
    return UnitCategory.objects.get(code=code).pk


@pytest.fixture(autouse=True)
def divisions(db):
    load_divisions()


# ----------------------------------------------------------------------------- header


def test_header_is_found_under_merged_title_rows_with_columns_in_any_order():
    sheet = open_sheet(xlsx([
        ["UBND TỈNH HÀ TĨNH"],
        ["DANH SÁCH CƠ SỞ ĐÃ TẠO MÃ QR ĐỊA ĐIỂM"],
        [],
        ["TT", " xa/phuong/tt ", "TÊN CƠ SỞ", "Địa chỉ\ncụ thể", "SĐT", "Huyện"],
        [1, "Tân Lộc", "Trường Tiểu học Tân Lộc", "Thôn 1", "0912345678", "Lộc Hà"],
    ], merge_title_over="A1:F1"))

    assert sheet.header_row == 4
    assert sheet.headers == ["TT", " xa/phuong/tt ", "TÊN CƠ SỞ", "Địa chỉ\ncụ thể", "SĐT", "Huyện"]
    assert sheet.columns == {"name": 2, "district": 5, "commune": 1, "address": 3, "phone": 4}
    (parsed,) = sheet.rows()
    assert parsed.status == "ok"
    assert parsed.data == {
        "name": "Trường Tiểu học Tân Lộc", "category": category("truong_hoc"), "district": district(448).pk,
        "commune": commune(18409).pk, "address": "Thôn 1", "phone": "0912345678",
    }


@pytest.mark.parametrize(("header", "field"), [
    ("Tên đơn vị", "name"), ("Tên cơ sở", "name"), ("Tên địa điểm", "name"), ("Tên cơ quan", "name"),
    ("Tên", "name"), ("Tên đơn vị (*)", "name"),
    ("Huyện/TX/TP", "district"), ("Huyện", "district"), ("Quận/Huyện", "district"),
    ("Huyện, thị xã, thành phố", "district"), ("Mã huyện", "district"),
    ("Xã, phường, thị trấn", "commune"), ("Xã/Phường/TT", "commune"), ("Xã", "commune"),
    ("Phường/Xã", "commune"), ("Mã xã", "commune"),
    ("Loại hình", "category"), ("Loại đơn vị", "category"), ("Loại", "category"),
    ("Địa chỉ", "address"), ("Địa chỉ cụ thể", "address"),
    ("Người đại diện", "representative_name"), ("Họ và tên người đại diện", "representative_name"),
    ("Người đăng ký", "representative_name"),
    ("Chức vụ", "representative_title"), ("Chức danh", "representative_title"),
    ("Số điện thoại", "phone"), ("Điện thoại", "phone"), ("SĐT", "phone"), ("ĐT", "phone"),
    ("Email", "email"), ("E-mail", "email"), ("Thư điện tử", "email"), ("Địa chỉ email", "email"),
    ("Trạng thái mã QR", "qr_status"), ("Tình trạng mã QR", "qr_status"),
    ("Mã địa điểm", "qr_location_code"), ("Mã QR địa điểm", "qr_location_code"),
    ("Ngày tạo mã", "qr_created_on"), ("Ngày tạo", "qr_created_on"), ("Ngày đăng ký", "qr_created_on"),
    ("Số cán bộ", "staff_count"), ("Số nhân viên", "staff_count"), ("Số lao động", "staff_count"),
    ("Số CBCNV", "staff_count"),
    ("Đang hoạt động", "is_active"), ("Hoạt động", "is_active"),
    ("SO DIEN THOAI", "phone"), ("  ngày\ntạo   mã ", "qr_created_on"),
    (unicodedata.normalize("NFD", "Người đại diện"), "representative_name"),
])
def test_each_known_column_name_is_recognised(header, field):
    cells = {"name": ["STT", header, "Mã xã"], "commune": ["STT", "Tên cơ quan", header]}.get(
        field, ["STT", "Tên cơ quan", "Mã xã", header])

    assert open_sheet(xlsx([cells])).columns[field] == cells.index(header)


def test_location_code_and_qr_status_are_told_apart_by_the_whole_header():
    sheet = open_sheet(xlsx([["Tên cơ sở", "Xã", "Mã QR địa điểm", "Trạng thái mã QR", "Tên đơn vị chủ quản"]]))

    assert sheet.columns == {"name": 0, "commune": 1, "qr_status": 3, "qr_location_code": 2}


def test_a_parent_agency_column_does_not_take_the_name_from_the_unit_name_column():
    sheet = open_sheet(xlsx([["Tên đơn vị chủ quản", "Tên đơn vị", "Xã"]]))

    assert sheet.columns == {"name": 1, "commune": 2}


def test_no_recognisable_header_names_the_expected_columns():
    with translation.override("en"), pytest.raises(ImportFileError) as raised:
        open_sheet(xlsx([["Họ và tên", "Ngày sinh"], ["Nguyễn Văn A", "01/01/1990"]]))

    assert raised.value.message.startswith("No recognisable header in the first 30 rows")
    assert "“Tên đơn vị”" in raised.value.message
    assert "“Xã, phường, thị trấn”" in raised.value.message


def test_a_header_below_row_30_is_not_looked_for():
    with pytest.raises(ImportFileError):
        open_sheet(xlsx([*[["Ghi chú"]] * 30, ["Tên đơn vị", "Xã"]]))


def test_a_header_without_a_commune_column_is_refused():
    with translation.override("en"), pytest.raises(ImportFileError) as raised:
        open_sheet(xlsx([["Tên đơn vị", "Địa chỉ"], ["Chợ Hà Tĩnh", "Phường Trần Phú"]]))

    assert raised.value.message == (
        "The header on row 1 has no commune column (“Xã, phường, thị trấn”): every unit belongs to a commune, "
        "ward or township.")


# ----------------------------------------------------------------------------- files that are not .xlsx


@pytest.mark.parametrize("content", [
    "Tên đơn vị;Xã\nChợ Hà Tĩnh;Trần Phú\n".encode(), b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", b""])
def test_a_text_or_pdf_file_is_not_a_spreadsheet(content):
    with translation.override("en"), pytest.raises(ImportFileError) as raised:
        open_sheet(io.BytesIO(content))

    assert "not an Excel workbook (.xlsx)" in raised.value.message or "could not be read" in raised.value.message


def test_a_zip_that_is_not_a_workbook_cannot_be_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải Excel")
    buffer.seek(0)

    with translation.override("en"), pytest.raises(ImportFileError) as raised:
        open_sheet(buffer)

    assert raised.value.message.startswith("This file could not be read as an Excel workbook (.xlsx).")


def test_a_password_protected_or_old_xls_file_says_so(tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4096)

    with translation.override("en"), pytest.raises(ImportFileError) as raised:
        open_sheet(path)

    assert "password-protected or in the old Excel 97–2003 (.xls) format" in raised.value.message
    assert "Remove the password" in raised.value.message
    assert "save it as an Excel workbook (.xlsx)" in raised.value.message


def test_a_path_is_read_as_well_as_a_file_object(tmp_path):
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(xlsx([HEADER, row(name="Chợ Hà Tĩnh", commune="Trần Phú")]).getvalue())

    with open_sheet(str(path)) as sheet:
        statuses = [parsed.status for parsed in sheet.rows()]

    assert statuses == ["ok"]


# ----------------------------------------------------------------------------- text, phones, dates


def test_text_is_stored_nfc_with_single_spaces_whatever_the_input():
    parsed = parse_one(
        name=unicodedata.normalize("NFD", "  Trường THCS\nTrần  Phú "),
        address=unicodedata.normalize("NFD", "Số 1,\r\nđường Hà Huy Tập"),
        representative_name="Nguyễn  Thị Hoà", commune=unicodedata.normalize("NFD", "Phường Trần Phú"))

    assert parsed.status == "ok"
    assert (parsed.data["name"], parsed.data["address"], parsed.data["representative_name"]) == (
        "Trường THCS Trần Phú", "Số 1, đường Hà Huy Tập", "Nguyễn Thị Hoà")
    assert unicodedata.is_normalized("NFC", parsed.data["name"])


def test_old_tone_placement_finds_the_commune():
    # The registry writes "Xã Hòa Lạc"; old-style typing puts the tone on the a: "Hoà".
    parsed = parse_one(commune="Xã Hoà Lạc", district="Đức Thọ")

    assert parsed.data["commune"] == commune(18280).pk


@pytest.mark.parametrize(("cell", "phone"), [
    (912345678, "0912345678"), (912345678.0, "0912345678"), ("0912 345 678", "0912345678"),
    ("+84 912.345.678", "0912345678"), (None, ""), (2393856789, "02393856789"),
])
def test_phone_numbers_that_lost_their_leading_zero_are_normalised(cell, phone):
    parsed = parse_one(phone=cell)

    assert (parsed.status, parsed.data["phone"]) == ("ok", phone)


def test_an_invalid_phone_is_a_row_error():
    parsed = parse_one(phone="12345")

    assert parsed.status == "error"
    assert parsed.errors == [
        "“12345” is not a Vietnamese phone number (0 followed by 9 or 10 digits, or +84…)."]


@pytest.mark.parametrize(("cell", "date"), [
    (datetime.datetime(2021, 11, 20), datetime.date(2021, 11, 20)),
    (datetime.date(2021, 11, 20), datetime.date(2021, 11, 20)),
    ("20/11/2021", datetime.date(2021, 11, 20)),
    ("5/1/2022", datetime.date(2022, 1, 5)),
    ("2021-11-20", datetime.date(2021, 11, 20)),
    (44520, datetime.date(2021, 11, 20)),  # a date cell that lost its format: Excel's serial day
    (None, None),
])
def test_dates_as_excel_dates_or_day_month_year_text(cell, date):
    parsed = parse_one(qr_created_on=cell, qr_location_code="HT-0001")

    assert (parsed.status, parsed.data["qr_created_on"]) == ("ok", date)


@pytest.mark.parametrize("cell", ["31/02/2021", "hôm qua", "11/2021", 3.5])
def test_an_unreadable_date_is_a_row_error(cell):
    parsed = parse_one(qr_created_on=cell)

    assert parsed.status == "error"
    assert parsed.errors == [f"“{cell}” is not a date (write it as dd/mm/yyyy, e.g. 20/11/2021)."]


# ----------------------------------------------------------------------------- blank rows and footers


def test_blank_rows_totals_and_signatures_are_skipped_and_so_is_everything_under_them():
    rows = parse(
        row(number=1, name="UBND phường Trần Phú", commune="Trần Phú"),
        [None] * len(HEADER),
        ["", "  ", None],
        row(number=2, name="Tổng Công ty Điện lực miền Bắc - Chi nhánh Hà Tĩnh", commune="Trần Phú"),
        ["Tổng cộng", None, None, None, None, None, None, None, None, None, None, None, None, 25],
        row(number=3, name="Chợ Tân Lộc", commune="Tân Lộc"),
        [None, None, None, None, None, "Hà Tĩnh, ngày 20 tháng 11 năm 2021"],
        [None, "Người lập biểu", None, None, None, None, "Thủ trưởng đơn vị"],
        [None, "(Ký, ghi rõ họ tên)"],
    )

    assert [(parsed.row, parsed.status) for parsed in rows] == [
        (2, "ok"), (3, "skipped"), (4, "skipped"), (5, "ok"), (6, "skipped"), (7, "skipped"), (8, "skipped"),
        (9, "skipped"), (10, "skipped")]


@pytest.mark.parametrize("footer", [
    "Tổng cộng", "Cộng", "Tổng số: 25", "Tổng cộng: 25 cơ sở", "Người lập biểu", "Thủ trưởng đơn vị",
    "Hà Tĩnh, ngày 20 tháng 11 năm 2021", "(Ký, ghi rõ họ tên)", "Nơi nhận:", "TM. UBND XÃ",
])
def test_footer_first_texts(footer):
    rows = parse([None, footer], row(name="Chợ Tân Lộc", commune="Tân Lộc"))

    assert [parsed.status for parsed in rows] == ["skipped", "skipped"]


def test_a_title_such_as_giam_doc_is_data_when_the_row_names_a_unit():
    header = ["Chức vụ", "Tên đơn vị", "Xã"]

    (parsed,) = parse(["Giám đốc", "Công ty TNHH Hồng Lĩnh", "Trần Phú"], header=header)

    assert (parsed.status, parsed.data["representative_title"]) == ("ok", "Giám đốc")


def test_a_row_with_values_but_no_name_is_an_error():
    parsed = parse_one(name=None, number=7, address="Thôn Trung Hòa")

    assert (parsed.status, parsed.errors) == ("error", ["The unit name is missing."])


def test_a_row_with_only_its_number_is_skipped():
    (parsed,) = parse([12])

    assert parsed.status == "skipped"


def test_the_column_number_line_under_the_header_is_skipped():
    rows = parse([f"({index})" for index in range(1, len(HEADER) + 1)], row(name="Chợ Tân Lộc", commune="Tân Lộc"))

    assert [parsed.status for parsed in rows] == ["skipped", "ok"]


def test_values_are_the_original_cells_in_sheet_order():
    created = datetime.datetime(2021, 11, 20)

    (parsed,) = parse(row(number=1, name="  Chợ  Hà Tĩnh", commune=18070, phone=912345678, qr_created_on=created,
                          is_active=datetime.time(8, 30)))

    assert parsed.values == [1, "  Chợ  Hà Tĩnh", None, None, 18070, None, None, None, 912345678, None, None, None,
                             created, None, "08:30:00"]


# ----------------------------------------------------------------------------- districts and communes


@pytest.mark.parametrize(("district_cell", "commune_cell", "commune_code"), [
    ("Thành phố Hà Tĩnh", "Phường Trần Phú", 18070),
    ("TP. Hà Tĩnh", "P. Trần Phú", 18070),
    ("ha tinh", "TRAN PHU", 18070),
    (436, 18070, 18070),
    ("436", "018070", 18070),
    (436.0, 18070.0, 18070),
    (None, "Trần Phú", 18070),
    ("Huyện Lộc Hà", "Xã Tân Lộc", 18409),
    ("Lộc Hà", "tan loc", 18409),
    ("Đức Thọ", "Thị trấn Đức Thọ", 18229),
    ("huyen duc tho", "TT Đức Thọ", 18229),
    (None, "Thị trấn Đức Thọ", 18229),
    (None, "Xã Thạch Hạ", 18100),
    (None, "Thạch Hạ", 18100),  # "Thạch Hà" folds alike; the diacritics decide
])
def test_district_and_commune_by_name_or_national_code(district_cell, commune_cell, commune_code):
    parsed = parse_one(district=district_cell, commune=commune_cell)

    expected = commune(commune_code)
    assert parsed.status == "ok", parsed.errors
    assert (parsed.data["commune"], parsed.data["district"]) == (expected.pk, expected.parent_id)


def test_a_district_name_shared_by_two_districts_is_settled_by_the_commune():
    # Huyện Kỳ Anh (447) and Thị xã Kỳ Anh (449).
    parsed = parse_one(district="Kỳ Anh", commune="Phường Hưng Trí")

    assert parsed.data["district"] == district(449).pk


def test_a_commune_name_shared_by_two_communes_needs_the_district():
    parsed = parse_one(district=None, commune="Thach Ha")

    assert parsed.status == "error"
    assert parsed.errors == ["“Thach Ha” may be Xã Thạch Hạ (Thành phố Hà Tĩnh), Thị trấn Thạch Hà "
                             "(Huyện Thạch Hà): give the district."]


def test_a_commune_outside_the_given_district_is_an_error_naming_both():
    parsed = parse_one(district="Thành phố Hà Tĩnh", commune="Xã Tân Lộc")

    assert parsed.errors == ["Commune “Xã Tân Lộc” is not in Thành phố Hà Tĩnh: it is in Huyện Lộc Hà."]


@pytest.mark.parametrize(("district_cell", "commune_cell", "error"), [
    ("Huyện Hà Lộc", "Tân Lộc", "Unknown district “Huyện Hà Lộc”."),
    (999, "Tân Lộc", "Unknown district “999”."),
    ("Lộc Hà", "Xã Lộc Tân", "Unknown commune “Xã Lộc Tân”."),
    ("Lộc Hà", 99999, "Unknown commune “99999”."),
    ("Lộc Hà", None, "The commune is missing."),
])
def test_unknown_or_missing_places_are_row_errors(district_cell, commune_cell, error):
    parsed = parse_one(district=district_cell, commune=commune_cell)

    assert (parsed.status, parsed.errors) == ("error", [error])


# ----------------------------------------------------------------------------- category and the other fields


@pytest.mark.parametrize(("label", "code"), [
    ("Chợ", "cho"), ("CHỢ", "cho"), ("cho", "cho"), ("Market", "cho"), ("truong hoc", "truong_hoc"),
    ("Trường học", "truong_hoc"), ("benh_vien_co_so_y_te", "benh_vien_co_so_y_te"),
])
def test_category_by_name_english_name_or_code(label, code):
    parsed = parse_one(category=label)

    assert (parsed.status, parsed.data["category"], parsed.warnings) == ("ok", category(code), [])


def test_an_unknown_category_is_filed_under_other_with_a_warning():
    parsed = parse_one(name="Đồn Biên phòng Cửa khẩu", category="Lực lượng vũ trang")

    assert (parsed.status, parsed.data["category"]) == ("ok", category("khac"))
    assert parsed.warnings == ["Category “Lực lượng vũ trang” is not in the list; filed under “Khác”."]


def test_a_blank_category_is_filed_under_other_with_a_warning():
    parsed = parse_one(name="Đồn Biên phòng Cửa khẩu", category=None)

    assert (parsed.status, parsed.data["category"]) == ("ok", category("khac"))
    assert parsed.warnings == ["No category given; filed under “Khác”."]


# Issue #14: the lists' own words for a kind of place, and parts of the categories' names.
@pytest.mark.parametrize(("label", "code", "words"), [
    ("Nhà hàng", "nha_hang_quan_an", "Nhà hàng"),
    ("Quán cà phê", "nha_hang_quan_an", "Quán cà phê"),
    ("QUAN CA PHE", "nha_hang_quan_an", "Quán cà phê"),
    ("quán ăn", "nha_hang_quan_an", "Quán ăn"),
    ("Vận tải hành khách Hà Tĩnh", "ben_xe_van_tai", "vận tải hành khách"),  # a part of the category's name
    ("Trường THCS Kỳ Anh", "truong_hoc", "Trường THCS"),
    ("trường thcs", "truong_hoc", "Trường THCS"),
    ("Trạm y tế xã Kỳ Tân", "benh_vien_co_so_y_te", "Trạm y tế"),
    ("Chợ dân sinh", "cho", "Chợ dân sinh"),
    ("Chợ Hà Tĩnh", "cho", "Chợ"),
    ("Sở Y tế", "so_ban_nganh", "Sở"),  # the words that begin the cell win over "Y tế"
    ("Cửa hàng bán lẻ", "doanh_nghiep_sxkd", "Cửa hàng"),  # "bán" is not the "ban" of "Sở, ban, ngành"
])
def test_a_category_is_read_by_its_synonyms_and_says_by_which_words(label, code, words):
    parsed = parse_one(name="Đồn Biên phòng Cửa khẩu", category=label)

    assert (parsed.status, parsed.data["category"]) == ("ok", category(code))
    assert parsed.warnings == [f"Category “{label}” read as “{UnitCategory.objects.get(code=code).name}” "
                               f"(by the words “{words}”)."]


@pytest.mark.parametrize(("name", "code", "words"), [
    ("Nhà hàng Hương Sen", "nha_hang_quan_an", "Nhà hàng"),
    ("Trường THCS Kỳ Anh", "truong_hoc", "Trường THCS"),
    ("Trạm Y tế xã Kỳ Tân", "benh_vien_co_so_y_te", "Trạm y tế"),
    ("Chợ Thị trấn Đức Thọ", "cho", "Chợ"),
])
def test_without_a_category_the_start_of_the_name_decides(name, code, words):
    parsed = parse_one(name=name, category=None)

    assert (parsed.status, parsed.data["category"]) == ("ok", category(code))
    assert parsed.warnings == [f"Category read from the unit's name as “{UnitCategory.objects.get(code=code).name}” "
                               f"(by the words “{words}”)."]


def test_a_name_that_only_holds_a_synonym_further_on_is_not_guessed():
    parsed = parse_one(name="Đồn Biên phòng gần chợ", category=None)

    assert (parsed.data["category"], parsed.warnings) == (category("khac"), ["No category given; filed under “Khác”."])


def test_a_synonym_the_administrator_added_is_used_by_the_next_import(django_user_model):
    admin = django_user_model.objects.create_superuser("quantri", password="x")
    before = parse_one(name="Đồn Biên phòng Cửa khẩu", category="Karaoke")
    services.add_category_synonym(category=UnitCategory.objects.get(code="cong_cong_dong_nguoi"),
                                  words="Karaoké", by=admin)

    after = parse_one(name="Đồn Biên phòng Cửa khẩu", category="KARAOKE")

    assert before.data["category"] == category("khac")
    assert (after.data["category"], after.warnings) == (category("cong_cong_dong_nguoi"), [
        "Category “KARAOKE” read as “Nơi công cộng tập trung đông người” (by the words “Karaoké”)."])


@pytest.mark.parametrize(("cell", "code", "status"), [
    (None, None, "none"), (None, "HT-0001", "created"), ("Chưa có", None, "none"), ("chua tao", None, "none"),
    ("Không", None, "none"), ("Đã tạo", "HT-0001", "created"), ("ĐÃ NIÊM YẾT", "HT-0001", "posted"),
    ("Đã dán", "HT-0001", "posted"), ("Niêm yết", "HT-0001", "posted"),
])
def test_qr_status(cell, code, status):
    parsed = parse_one(qr_status=cell, qr_location_code=code)

    assert (parsed.status, parsed.data["qr_status"]) == ("ok", status)


def test_an_unknown_qr_status_is_a_row_error():
    parsed = parse_one(qr_status="Đang làm")

    assert parsed.errors == ["QR status “Đang làm” is not one of: not created, created, posted "
                             "(“Chưa tạo”, “Đã tạo”, “Đã niêm yết”)."]


@pytest.mark.parametrize(("cell", "active"), [
    (None, True), ("x", True), ("X", True), ("Có", True), ("1", True), (1, True), (True, True),
    ("Đang hoạt động", True), ("không", False), ("0", False), (0, False), ("Ngừng hoạt động", False),
    (False, False),
])
def test_is_active(cell, active):
    parsed = parse_one(is_active=cell)

    assert (parsed.status, parsed.data["is_active"]) == ("ok", active)


def test_an_unreadable_active_value_is_a_row_error():
    parsed = parse_one(is_active="có lẽ")

    assert parsed.errors == ["“có lẽ” in the active column is neither yes (“Có”, “x”) nor no (“Không”)."]


@pytest.mark.parametrize(("cell", "count"), [(None, None), (12, 12), (12.0, 12), ("12", 12), (0, 0),
                                             ("1.200", 1200)])
def test_staff_count(cell, count):
    parsed = parse_one(staff_count=cell)

    assert (parsed.status, parsed.data["staff_count"]) == ("ok", count)


@pytest.mark.parametrize(("cell", "shown"), [(-3, "-3"), (12.5, "12.5"), ("mười hai", "mười hai"),
                                             ("12 người", "12 người")])
def test_a_staff_count_that_is_not_a_whole_number_is_a_row_error(cell, shown):
    parsed = parse_one(staff_count=cell)

    assert parsed.errors == [f"Staff count “{shown}” is not a whole number of people."]


def test_email_is_validated():
    good = parse_one(email=" bqlcho@hatinh.gov.vn ")
    bad = parse_one(email="bqlcho@hatinh")

    assert (good.status, good.data["email"]) == ("ok", "bqlcho@hatinh.gov.vn")
    assert bad.errors == ["“bqlcho@hatinh” is not a valid e-mail address."]


def test_text_longer_than_the_registry_holds_is_a_row_error():
    parsed = parse_one(representative_title="Phó " * 40)

    assert parsed.errors == ["The representative's title has 159 characters; at most 120 fit."]


def test_a_full_row_gives_every_field_and_all_errors_of_a_row_are_listed():
    good, bad = parse(
        row(number=1, name="Chợ Hà Tĩnh", category="Chợ", district="Thành phố Hà Tĩnh", commune="Trần Phú",
            address="Đường Phan Đình Phùng", representative_name="Nguyễn Văn An",
            representative_title="Trưởng ban", phone=912345678, email="cho@hatinh.vn", qr_status="Đã niêm yết",
            qr_location_code=4204360001, qr_created_on="20/11/2021", staff_count=12, is_active="x"),
        row(number=2, name="Chợ Tân Lộc", commune="Tân Lộc", phone="0912", email="không có",
            qr_created_on="32/13/2021"),
    )

    assert good.data == {
        "name": "Chợ Hà Tĩnh", "category": category("cho"), "district": district(436).pk,
        "commune": commune(18070).pk, "address": "Đường Phan Đình Phùng", "representative_name": "Nguyễn Văn An",
        "representative_title": "Trưởng ban", "phone": "0912345678", "email": "cho@hatinh.vn",
        "qr_status": "posted", "qr_location_code": "4204360001", "qr_created_on": datetime.date(2021, 11, 20),
        "staff_count": 12, "is_active": True,
    }
    assert (good.status, good.errors, good.warnings) == ("ok", [], [])
    assert (bad.status, bad.errors) == ("error", [
        "“0912” is not a Vietnamese phone number (0 followed by 9 or 10 digits, or +84…).",
        "“không có” is not a valid e-mail address.",
        "“32/13/2021” is not a date (write it as dd/mm/yyyy, e.g. 20/11/2021).",
    ])


# ----------------------------------------------------------------------------- size and progress


def test_progress_is_reported_every_500_rows_and_at_the_end():
    rows = [row(name=f"Cơ sở {index}", commune="Tân Lộc") for index in range(1, 1201)]
    calls = []

    with open_sheet(xlsx([["Danh sách"], HEADER, *rows])) as sheet:
        assert sheet.total_rows == 1200
        assert sum(1 for _ in sheet.rows(progress=lambda done, total: calls.append((done, total)))) == 1200

    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]


def test_a_sheet_whose_stated_size_is_wrong_is_read_to_the_end():
    # Some programs write "A1" as the size of any sheet; openpyxl would stop reading there.
    original = zipfile.ZipFile(xlsx([HEADER, *[row(name=f"Chợ {index}", commune="Tân Lộc") for index in range(3)]]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as copy:
        for item in original.infolist():
            content = original.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                # The writer (lxml or not) may or may not put a space before "/>".
                content, replaced = re.subn(rb'<dimension ref="A1:O4"\s*/>', b'<dimension ref="A1"/>', content)
                assert replaced == 1
            copy.writestr(item, content)
    buffer.seek(0)

    with open_sheet(buffer) as sheet:
        assert sheet.total_rows is None
        assert [parsed.status for parsed in sheet.rows()] == ["ok", "ok", "ok"]


def test_2000_rows_parse_with_a_fixed_number_of_queries(django_assert_num_queries):
    communes = ["Phường Trần Phú", "Xã Tân Lộc", "Thị trấn Đức Thọ", "Xã Hòa Lạc"]
    rows = [row(number=index, name=f"Cơ sở kinh doanh số {index}", category="Cơ sở sản xuất, kinh doanh",
                commune=communes[index % 4], phone=912000000 + index, qr_created_on=datetime.date(2021, 11, 20),
                staff_count=index % 50) for index in range(1, 2001)]
    sheet = open_sheet(xlsx([HEADER, *rows]))

    # 1. divisions (districts and communes)  2. categories  3. the words that name them
    with django_assert_num_queries(3):
        statuses = [parsed.status for parsed in sheet.rows()]

    assert statuses == ["ok"] * 2000
