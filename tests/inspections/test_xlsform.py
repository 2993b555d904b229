"""XLSForm in and out (issue #15.3): the round trip, pyxform's conversion, bad rows."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pyxform.xls2xform import convert

from inspections import xlsform
from inspections.checklist_2021 import seed_checklist_2021
from inspections.models import ChecklistItem, ChecklistTemplate


@pytest.fixture
def checklist(db):
    template = seed_checklist_2021()
    b6 = ChecklistItem.objects.get(section__template=template, code="b6")
    # Every kind and rule the product has, so that the round trip carries each one.
    ChecklistItem.objects.create(section=b6.section, code="b7", text="Hình thức niêm yết", text_en="How it is posted",
                                 kind=ChecklistItem.Kind.CHOICE, choices=["Giấy", "Bảng điện tử"], required=False,
                                 noncompliant_if="Giấy", note_required_if="Giấy", order=7)
    ChecklistItem.objects.create(section=b6.section, code="b8", text="Ảnh toàn cảnh", kind=ChecklistItem.Kind.PHOTO,
                                 required=False, order=8)
    return template


def shape(template) -> list:
    """A checklist as it is asked: sections and their questions with every field that matters."""
    return [(section.code, section.title, section.title_en, [
        (item.code, item.text, item.text_en, item.help_text, item.help_text_en, item.kind, item.choices,
         item.required, sorted(c.code for c in item.categories.all()), item.noncompliant_if,
         item.photo_required_if, item.note_required_if)
        for item in section.items.order_by("order")]) for section in template.sections.order_by("order")]


def test_export_then_import_gives_the_same_checklist(checklist):
    preview = xlsform.read_xlsform(xlsform.export_xlsform(checklist))

    assert [row for row in preview.rows if not row.accepted] == []
    copy = xlsform.create_from_plan(name=preview.name, plan=preview.plan)
    assert (copy.name, copy.version, copy.is_published) == (checklist.name, 2, False)
    assert shape(copy) == shape(checklist)


def test_the_export_passes_pyxforms_conversion(checklist):
    result = convert(xlsform=xlsform.export_xlsform(checklist), file_type=".xlsx")

    assert result.warnings == []
    assert f"<h:title>{checklist.name}</h:title>" in result.xform
    assert ('<bind nodeset="/data/a/a3" type="decimal" required="true()" constraint=". &gt;= 0 and . &lt;= 100"/>'
            in result.xform)
    assert ('<bind nodeset="/data/b/b2_photo" type="binary" required="true()" relevant=" /data/b/b2  = \'no\'" '
            'orx:max-pixels="1600"/>' in result.xform)
    assert ('<bind nodeset="/data/b/b7_note" type="string" required="true()" relevant=" /data/b/b7  = \'c1\'"/>'
            in result.xform)


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("bang-kiem.xlsx", content)


def workbook(survey_rows, choices_rows=(), title="Bảng kiểm nhập"):
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Vietnamese (vi)", "label::English (en)", "required", "relevant"])
    for row in survey_rows:
        survey.append(list(row))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Vietnamese (vi)"])
    for row in [("yes_no", "yes", "Có"), ("yes_no", "no", "Không"), ("yes_no", "na", "Không áp dụng"),
                *choices_rows]:
        choices.append(list(row))
    book.create_sheet("settings").append(["form_title"])
    book["settings"].append([title])
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()


GOOD = [("begin_group", "a", "Chỉ đạo", "Direction"),
        ("select_one yes_no", "a1", "Có văn bản chỉ đạo", "Has directions", "yes"),
        ("image", "a1_photo", "Ảnh văn bản", "", "yes", "${a1} = 'yes'"),
        ("note", "n1", "Ghi chú cho câu sau"),
        ("integer", "a2", "Số cán bộ"),
        ("end_group", "a")]


def test_bad_rows_are_reported_in_vietnamese_and_nothing_is_written(client, coordinator, db):
    content = workbook([*GOOD[:-1], ("geopoint", "a3", "Vị trí"), ("text", "a4", "Ghi chú", "", "", "${a2} > 3"),
                        ("select_one yes_no", "a1", "Trùng tên"), GOOD[-1]])
    client.force_login(coordinator)

    response = client.post(reverse("inspections:xlsform_upload"),
                           {"workbook": upload(content)})

    preview = response.context["preview"]
    assert [(row.row, row.accepted) for row in preview.rows] == [
        (2, True), (3, True), (4, True), (5, True), (6, True), (7, False), (8, False), (9, False), (10, True)]
    assert preview.rows[5].message == ("Kiểu “geopoint” không được hỗ trợ: hãy dùng select_one, integer, decimal, "
                                       "text, image hoặc note.")
    assert preview.rows[7].message == "Tên a1 bị dùng hai lần."
    assert "Tạo bảng kiểm nháp" not in response.content.decode()
    assert client.post(reverse("inspections:xlsform_confirm")).url == reverse("inspections:xlsform_upload")
    assert ChecklistTemplate.objects.count() == 0


def test_a_good_workbook_is_previewed_then_created_as_a_draft(client, coordinator, db):
    client.force_login(coordinator)
    response = client.post(reverse("inspections:xlsform_upload"), {"workbook": upload(workbook(GOOD))})
    assert response.context["preview"].refused == []

    created = client.post(reverse("inspections:xlsform_confirm"))

    template = ChecklistTemplate.objects.get()
    assert created.url == reverse("inspections:checklist_detail", args=[template.pk])
    assert shape(template) == [("a", "Chỉ đạo", "Direction", [
        ("a1", "Có văn bản chỉ đạo", "Has directions", "", "", "yes_no", [], True, [], None, "yes", None),
        ("a2", "Số cán bộ", "", "Ghi chú cho câu sau", "", "number", [], False, [], None, None, None)])]
    assert template.is_published is False


def test_a_file_that_is_not_a_workbook_is_refused(client, coordinator, db):
    client.force_login(coordinator)
    response = client.post(reverse("inspections:xlsform_upload"), {"workbook": upload(b"not a workbook")})
    assert response.context["form"].errors["workbook"] == [
        "Tệp không phải là sổ tính Excel (.xlsx) đọc được."]


def test_the_import_is_the_coordinators(client, inspector, db):
    client.force_login(inspector)
    assert client.get(reverse("inspections:xlsform_upload")).status_code == 403
    assert client.post(reverse("inspections:xlsform_confirm")).status_code == 403
