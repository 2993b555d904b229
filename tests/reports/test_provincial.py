"""The provincial report: a frozen snapshot of a known dataset, its figures traced to
their visits, the DOCX draft and the Excel annex read back, and who may do what."""

import datetime
import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from inspections import fieldwork
from inspections.models import Answer, FollowUp, FollowUpStep, Visit
from inspections.vocabulary import CRITERIA, SHORT_OF_COMPLIANCE
from reports import provincial, services
from reports.models import ProvincialReport
from reports.provincial_documents import build_files, report_annex, report_docx
from tests.factories import make_unit, make_visit
from tests.inspections.test_fieldwork import answer_all, build

MID_DECEMBER = datetime.date(2021, 12, 15)


def _approved(world, name, overrides, corrections=()):
    visit = fieldwork.start_visit(world[name], by=world["member"])
    answer_all(visit, world["member"], overrides)
    for description, deadline in corrections:
        fieldwork.require_correction(visit, description=description, deadline=deadline, by=world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key=name)
    fieldwork.approve_visit(visit, by=world["leader"])
    return Visit.objects.get(pk=visit.pk)


def _direct(world, name, commune, category, conclusion, day, status=Visit.Status.APPROVED):
    """A visit written straight to the table, for figures in other districts and days."""
    return make_visit(world["campaign"], make_unit(name, commune=commune, category=category), day=day,
                      conclusion=conclusion, status=status)


@pytest.fixture
def world(db, coordinator):
    """Known answers: on 07/12 in Can Lộc (443) a market partly compliant (b4 "no", one
    correction) and the district committee compliant; on 10/12 in Thành phố Hà Tĩnh (436) a
    school not compliant; on 20/12 a hospital in Can Lộc compliant; one visit in progress."""
    world = build(coordinator)
    world["market_visit"] = _approved(world, "market", {"b4": "no"},
                                      [("Bố trí người hướng dẫn quét mã QR", datetime.date(2021, 12, 14))])
    world["committee_visit"] = _approved(world, "committee", {})
    world["school"] = _direct(world, "Trường THCS Lê Văn Thiêm", 18070, "truong_hoc",
                              {"a": "chua_dat", "b": "chua_dat", "c": "dat", "overall": "chua_dat"},
                              datetime.date(2021, 12, 10))
    world["hospital"] = _direct(world, "Bệnh viện đa khoa huyện Can Lộc", 18406, "benh_vien_co_so_y_te",
                                {"a": "dat", "b": "dat", "c": "dat", "overall": "dat"}, datetime.date(2021, 12, 20))
    _direct(world, "Chợ Thiên Lộc", 18409, "cho", {}, datetime.date(2021, 12, 9), status=Visit.Status.IN_PROGRESS)
    return world


def test_the_snapshot_of_a_known_dataset_and_totals_equal_their_parts(world, coordinator):
    figures = provincial.Figures(provincial.take_snapshot(world["campaign"], MID_DECEMBER, coordinator))

    assert figures.total.count == 3 and figures.units_inspected == 3  # the hospital (20/12) is after the date
    assert figures.snapshot["pending"] == 1
    assert [(code, *(f.count for f in counts)) for code, *counts in figures.criteria()] == [
        ("a", 2, 0, 1), ("b", 1, 1, 1), ("c", 2, 0, 0), ("overall", 1, 1, 1)]
    districts = {name: [f.count for f in counts] for name, *counts in figures.by_district()}
    assert len(districts) == 13  # every district, zeros included
    assert districts["Huyện Can Lộc"] == [2, 1, 1, 0]
    assert districts["Thành phố Hà Tĩnh"] == [1, 0, 0, 1]
    assert sum(row[0] for row in districts.values()) == sum(sum(row[1:]) for row in districts.values()) == 3
    matrix = figures.matrix()
    assert sum(cell.count for _name, cells, _total in matrix for cell in cells) == figures.total.count
    assert [f.count for f in figures.column_totals()] == [
        sum(cells[index].count for _name, cells, _total in matrix) for index in range(len(figures.categories))]
    # each figure names its visits
    noncompliant = figures.criteria()[3][3]
    assert noncompliant.ids == [world["school"].pk]
    short = figures.short_of_compliance()
    assert [(row["unit"], row["corrections"][0]["outcome"]) for row in short if row["corrections"]] == [
        ("Chợ Nghèn", "open")]


def test_a_report_keeps_its_figures_when_the_data_changes_and_says_so(world, coordinator, leadership):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    frozen = dict(report.snapshot)
    assert not provincial.changed_since(report, leadership)

    Visit.objects.filter(pk=world["school"].pk).update(conclusion={"a": "dat", "b": "dat", "c": "dat",
                                                                   "overall": "dat"})
    FollowUp.objects.update(outcome=FollowUp.Outcome.FIXED)
    report.refresh_from_db()
    assert report.snapshot == frozen
    assert provincial.changed_since(report, leadership)

    services.approve(report, by=leadership)
    with pytest.raises(ValidationError):
        services.retake(report, by=coordinator)
    with pytest.raises(ValidationError):
        services.update_texts(report, by=coordinator, strengths="Khác")
    report.refresh_from_db()
    assert report.snapshot == frozen and report.status == ProvincialReport.Status.APPROVED


def test_a_draft_takes_its_figures_again_and_only_the_right_roles_act(world, coordinator, leadership):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    Visit.objects.filter(pk=world["school"].pk).update(conclusion={"overall": "dat"})
    report = services.retake(report, by=coordinator)
    assert not provincial.changed_since(report, coordinator)
    assert provincial.Figures(report.snapshot).criteria()[3][1].count == 2
    with pytest.raises(PermissionDenied):
        services.approve(report, by=coordinator)
    with pytest.raises(PermissionDenied):
        services.create_report(world["campaign"], as_of=MID_DECEMBER, by=leadership)
    with pytest.raises(ValidationError):
        services.create_report(world["campaign"], as_of=datetime.date(2021, 11, 1), by=coordinator)


def _texts(cell_or_document):
    return [paragraph.text for paragraph in cell_or_document.paragraphs]


def test_the_docx_has_the_decree_layout_and_the_tables_of_the_snapshot(world, coordinator, leadership):
    leadership.first_name, leadership.last_name = "Nguyễn Văn", "An"
    leadership.save()
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    services.update_texts(report, by=coordinator, strengths="Các đơn vị đã cài đặt ứng dụng.", number="")
    report = services.approve(ProvincialReport.objects.get(pk=report.pk), by=leadership)
    document = Document(io.BytesIO(report_docx(report)))

    header = document.tables[0]
    # Each column's lines, then the empty paragraph that draws the rule under the last one.
    assert _texts(header.cell(0, 0)) == ["UBND TỈNH HÀ TĨNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", ""]
    assert _texts(header.cell(0, 1)) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ""]
    assert re.fullmatch(r"Số: +/BC-STTTT", header.cell(1, 0).text)
    issued = timezone.localdate(report.approved_at)
    assert header.cell(1, 1).text == f"Hà Tĩnh, ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}"
    body = _texts(document)
    assert "BÁO CÁO" in body and "Kính gửi: Ủy ban nhân dân tỉnh Hà Tĩnh" in body
    for heading in ("I. KẾT QUẢ KIỂM TRA", "II. ĐÁNH GIÁ CHUNG", "III. KIẾN NGHỊ, ĐỀ XUẤT",
                    "Các đơn vị đã cài đặt ứng dụng."):
        assert heading in body
    assert any("Số đơn vị đã kiểm tra: 3 đơn vị (3 lượt kiểm tra đã được duyệt)" in line for line in body)
    assert any(line.startswith("Căn cứ Văn bản số 7641/UBND-VX") for line in body)
    # criterion c applies to two of the three units: shares are of the units assessed under it
    assert "Số đơn vị được đánh giá theo tiêu chí này: 2; đạt: 2/2 (100%); đạt một phần: 0; chưa đạt: 0." in body

    rows = {tuple(cell.text for cell in row.cells) for table in document.tables[1:] for row in table.rows}
    assert ("Kết luận chung", "1", "1", "1", "3") in rows
    assert ("a) Công tác chỉ đạo, tuyên truyền", "2", "0", "1", "3") in rows
    assert ("Huyện Can Lộc", "2", "1", "1", "0") in rows
    assert ("Tổng cộng", "3", "1", "1", "1") in rows
    # criterion b by district, with the QR figures the units reported (none here)
    assert ("Thành phố Hà Tĩnh", "0", "0", "1", "0", "0") in rows
    assert ("Tổng cộng", "1", "1", "1", "0", "0") in rows
    closing = document.tables[-1]
    assert _texts(closing.cell(0, 0))[:2] == ["Nơi nhận:", "- Như trên;"]
    assert _texts(closing.cell(0, 1))[:2] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert _texts(closing.cell(0, 1))[-1] == "Nguyễn Văn An"


def _sum(sheet, formula):
    """Evaluate "=SUM(C5:C17)" over the sheet, as Excel would."""
    first, last = re.fullmatch(r"=SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", formula).groups()
    return sum(cell.value or 0 for row in sheet[first:last] for cell in row)


def test_the_annex_matches_the_snapshot_with_totals_as_formulas(world, coordinator):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    figures = provincial.Figures(report.snapshot)
    workbook = load_workbook(io.BytesIO(report_annex(report)))
    assert workbook.sheetnames == ["Tổng hợp", "Theo tiêu chí", "Chưa đạt", "Danh sách lượt"]

    summary = workbook["Tổng hợp"]
    assert "A1:" in str(summary.merged_cells) and summary["A1"].value.startswith("PHỤ LỤC I")
    assert summary["A1"].font.bold and summary["A4"].border.left.style == "thin"
    assert [cell.value for cell in summary[4]][2:-1] == [name for _code, name in figures.categories]
    matrix = figures.matrix()
    for index, (name, cells, total) in enumerate(matrix):
        values = [cell.value for cell in summary[5 + index]]
        assert values[1] == name and values[2:-1] == [cell.count for cell in cells]
        assert _sum(summary, values[-1]) == total.count
    total_row = [cell.value for cell in summary[5 + len(matrix)]]
    assert total_row[1] == "Tổng cộng"
    assert [_sum(summary, formula) for formula in total_row[2:-1]] == [f.count for f in figures.column_totals()]

    criteria = workbook["Theo tiêu chí"]
    assert [cell.value for cell in criteria[8]][:4] == ["Kết luận chung", 1, 1, 1]
    assert _sum(criteria, criteria["E8"].value) == 3

    short = workbook["Chưa đạt"]
    rows = [[cell.value for cell in row] for row in short.iter_rows(min_row=5) if row[0].value]
    assert [(row[1], row[6], row[8]) for row in rows if row[6]] == [
        ("Chợ Nghèn", "Bố trí người hướng dẫn quét mã QR", "Đang theo dõi")]

    listed = workbook["Danh sách lượt"]
    assert sorted(row[1].value for row in listed.iter_rows(min_row=5)) == sorted(figures.total.ids)


def test_the_annex_streams_its_lists_out_of_the_stored_snapshot_never_fetching_it(world, coordinator, monkeypatch):
    """The lists are read a chunk at a time (two rows here, so every list spans chunks) and
    say what `Figures` says of the snapshot, row for row; no query brings the snapshot over."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.provincial_documents import conclusion_text, outcome_texts

    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    figures = provincial.Figures(report.snapshot)
    monkeypatch.setattr(provincial, "CHUNK", 2)
    with CaptureQueriesContext(connection) as queries:
        data = report_annex(ProvincialReport.objects.defer("snapshot", "short_rows").get(pk=report.pk))
    assert not [q["sql"] for q in queries if '"reports_provincialreport"."snapshot"' in q["sql"]]
    rows = provincial.AnnexReading.of(report).visits(report)
    next(rows)
    with connection.cursor() as cursor:  # the list is read through a cursor PostgreSQL holds open
        cursor.execute("SELECT statement FROM pg_cursors")
        assert [sql for (sql,) in cursor.fetchall() if "jsonb_array_elements" in sql]
    assert len([next(rows), *rows]) == len(figures.rows) - 1  # the rest, chunk after chunk
    workbook = load_workbook(io.BytesIO(data))

    def values(sheet):
        return [[cell.value.date() if isinstance(cell.value, datetime.datetime) else cell.value for cell in row]
                for row in workbook[sheet].iter_rows(min_row=5)]

    listed = values("Danh sách lượt")
    assert len(figures.rows) >= 3
    assert listed == [[index, row["id"], row["unit"], figures.district_names[row["district"]], row["commune_name"],
                       figures.category_names[row["category"]], datetime.date.fromisoformat(row["day"]),
                       *(conclusion_text(row[code]) or None for code in CRITERIA), row["qr_codes"], row["scans"]]
                      for index, row in enumerate(figures.rows, start=1)]
    outcomes, short = outcome_texts(), figures.short_of_compliance()
    assert short and values("Chưa đạt") == [
        [index, row["unit"], row["district_name"], row["category_name"], datetime.date.fromisoformat(row["day"]),
         conclusion_text(row["overall"]), item["description"] or None,
         datetime.date.fromisoformat(item["deadline"]) if item["deadline"] else None,
         outcomes.get(item["outcome"], item["outcome"]), row["id"]]
        for index, row in enumerate(short, start=1)
        for item in row["corrections"] or [{"description": "", "deadline": "", "outcome": ""}]]


def test_the_annex_is_the_same_where_server_side_cursors_are_turned_off(world, coordinator, monkeypatch):
    """Behind PgBouncer in transaction mode (DISABLE_SERVER_SIDE_CURSORS) the lists come through
    a plain cursor, the same rows."""
    from django.db import connection

    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)

    def listed():
        workbook = load_workbook(io.BytesIO(report_annex(report)))
        return [[[cell.value for cell in row] for row in workbook[name].iter_rows()] for name in workbook.sheetnames]

    streamed = listed()
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    assert listed() == streamed and len(streamed[3]) == 4 + 3  # the title rows, then the three visits


def test_the_annexs_lists_keep_user_text_as_text(world, coordinator):
    """A unit named like a formula, or with a character a sheet cannot hold, is listed as text."""
    world["school"].unit.name = "=HYPERLINK(\"http://example.com\",\"x\")"
    world["school"].unit.save()
    world["market"].unit.name = "+84 Chợ\x07 Nghèn"
    world["market"].unit.save()
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    workbook = load_workbook(io.BytesIO(report_annex(report)))
    for sheet, column in (("Danh sách lượt", 2), ("Chưa đạt", 1)):
        names = {row[column].value: row[column].data_type for row in workbook[sheet].iter_rows(min_row=5)}
        assert names["=HYPERLINK(\"http://example.com\",\"x\")"] == names["+84 Chợ Nghèn"] == "s", sheet


# ------------------------------------------------------------------------------ the pages


def test_the_coordinator_drafts_and_leadership_approves(client, world, coordinator, leadership):
    client.force_login(coordinator)
    list_url = reverse("reports:report_list", args=[world["campaign"].pk])
    response = client.post(list_url, {"as_of": "15/12/2021"})
    report = ProvincialReport.objects.get()
    assert response.url == reverse("reports:report_detail", args=[report.pk])
    assert report.as_of == MID_DECEMBER and report.created_by == coordinator

    assert client.post(list_url, {"as_of": "31/13/2021"}).status_code == 200  # a clear error, nothing saved
    assert ProvincialReport.objects.count() == 1
    assert client.post(reverse("reports:report_approve", args=[report.pk])).status_code == 403

    client.force_login(leadership)
    assert client.post(list_url, {"as_of": "15/12/2021"}).status_code == 403
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    figure_url = reverse("reports:report_visits", args=[report.pk])
    assert f'href="{figure_url}?overall=chua_dat">1</a>' in page
    client.post(reverse("reports:report_approve", args=[report.pk]), {"confirm": "xac-nhan"})
    report.refresh_from_db()
    assert report.status == "approved" and report.approved_by == leadership

    listed = client.get(f"{figure_url}?overall=chua_dat")
    assert [row["unit"] for row in listed.context["page"]] == ["Trường THCS Lê Văn Thiêm"]
    for name in ("report_document", "report_annex"):
        response = client.get(reverse(f"reports:{name}", args=[report.pk]))
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_the_report_says_when_the_data_changed_since(client, world, coordinator):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    client.force_login(coordinator)
    url = reverse("reports:report_detail", args=[report.pk])
    assert not client.get(url).context["changed"]
    Visit.objects.filter(pk=world["school"].pk).update(conclusion={"overall": "dat"})
    assert client.get(url).context["changed"]


@pytest.mark.parametrize("name", ["report_detail", "report_visits", "report_files", "report_document", "report_annex"])
def test_reports_are_out_of_reach_of_inspectors_and_the_office(client, world, coordinator, office, name):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    for user in (world["member"], office):
        client.force_login(user)
        assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404


def test_the_report_list_is_for_the_dic_only(client, world, office):
    client.force_login(office)
    assert client.get(reverse("reports:report_list", args=[world["campaign"].pk])).status_code == 403
    client.force_login(world["outsider"])  # an inspector of the campaign's other team
    assert client.get(reverse("reports:report_list", args=[world["campaign"].pk])).status_code == 403
    client.force_login(world["member"])
    assert client.get(reverse("reports:report_list", args=[world["campaign"].pk + 1])).status_code == 404


@pytest.mark.parametrize("visits", [1, 3])
def test_the_report_page_runs_a_fixed_number_of_queries(client, world, coordinator, visits,
                                                       django_assert_num_queries):
    Visit.objects.exclude(pk__in=[world["market_visit"].pk, world["school"].pk, world["committee_visit"].pk][
        :visits]).delete()
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    client.force_login(coordinator)
    # session, user with their groups, the report with its digest (not its snapshot), the page of the units short
    # of compliance with their corrections (sliced by PostgreSQL out of the stored list), the campaign's
    # data version (compared, not the snapshot taken again)
    with django_assert_num_queries(5):
        client.get(reverse("reports:report_detail", args=[report.pk]))


def test_a_snapshot_counts_only_the_visits_its_author_may_see(world):
    assert provincial.Figures(provincial.take_snapshot(world["campaign"], MID_DECEMBER, world["outsider"])
                              ).total.count == 0
    assert provincial.Figures(provincial.take_snapshot(world["campaign"], MID_DECEMBER, world["member"])
                              ).total.ids == [world["market_visit"].pk, world["committee_visit"].pk]


def test_only_the_inspectorate_writes_or_retakes_a_report(client, world, coordinator, leadership):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    client.force_login(leadership)
    assert client.post(reverse("reports:report_detail", args=[report.pk]), {"strengths": "x"}).status_code == 403
    assert client.post(reverse("reports:report_retake", args=[report.pk])).status_code == 403
    client.force_login(coordinator)
    response = client.post(reverse("reports:report_retake", args=[report.pk]))
    assert response.status_code == 302
    assert client.post(reverse("reports:report_retake", args=[report.pk + 99])).status_code == 404
    report.refresh_from_db()
    assert report.strengths == ""


def test_a_text_sent_to_an_approved_report_is_refused_with_a_message(client, world, coordinator, leadership):
    report = services.approve(services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator),
                              by=leadership)
    client.force_login(coordinator)
    response = client.post(reverse("reports:report_detail", args=[report.pk]),
                           {"number": "", "strengths": "Đổi sau khi duyệt", "shortcomings": "", "causes": "",
                            "recommendations": ""})
    assert response.status_code == 200
    assert "Báo cáo này đã được duyệt" in response.content.decode()
    report.refresh_from_db()
    assert report.strengths == ""


def test_the_files_are_built_in_the_background_for_the_latest_revision(client, world, coordinator, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    assert not report.files_ready
    client.force_login(coordinator)
    detail = reverse("reports:report_detail", args=[report.pk])
    assert client.get(reverse("reports:report_document", args=[report.pk])).url == detail
    page = client.get(detail).content.decode()
    assert f'hx-get="{reverse("reports:report_files", args=[report.pk])}"' in page
    assert "Đang chuẩn bị bản Word và phụ lục" in page

    assert build_files(report.pk, report.revision - 1) is False  # an older revision's task
    assert build_files(report.pk, report.revision) is True
    report.refresh_from_db()
    assert report.files_ready
    fragment = client.get(reverse("reports:report_files", args=[report.pk])).content.decode()
    assert "hx-get" not in fragment and reverse("reports:report_annex", args=[report.pk]) in fragment
    first = report.document.name

    report = services.update_texts(report, by=coordinator, strengths="Các đơn vị đã niêm yết mã QR.")
    assert not report.files_ready  # the text changed: the Word draft must be built again
    assert build_files(report.pk, report.revision)
    report.refresh_from_db()
    assert report.files_ready and report.document.name != first
    assert not report.document.storage.exists(first)  # the older files are removed
    document = Document(report.document.open("rb"))
    assert "Các đơn vị đã niêm yết mã QR." in [paragraph.text for paragraph in document.paragraphs]


# ------------------------------------------------------------------------------ the plan's own terms


@pytest.fixture
def plan_world(world):
    """The world's answers and figures as the plan's items read them: the committee issued a
    direction document (a1, its note naming it) and uses the portal (c1–c3); the market has no
    QR board posted (b2), nobody guiding visitors (b4) and still shows an old code (b3); the
    two Can Lộc units gave their staff figures (1.080 of 1.220 installed) and QR figures; the
    market's follow-up was reminded by letter."""
    from inspections.followups import record_step

    market, committee = world["market_visit"], world["committee_visit"]
    Answer.objects.filter(visit=committee, item__code="a1").update(note="Công văn số 12/UBND ngày 20/11/2021")
    Answer.objects.filter(visit=market, item__code__in=["b2", "b3"]).update(value="no")
    Answer.objects.filter(visit=market, item__code="b3").update(value="yes")
    Visit.objects.filter(pk=market.pk).update(staff_total=20, staff_with_app=17, qr_codes=2, scans_last_7_days=1080)
    Visit.objects.filter(pk=committee.pk).update(staff_total=1200, staff_with_app=1063, qr_codes=1,
                                                 scans_last_7_days=2760)
    record_step(FollowUp.objects.get(correction__visit=market), kind="reminder", date=datetime.date(2021, 12, 15),
                by=world["coordinator"], evidence="Công văn nhắc nhở")
    return world


def _rows(document):
    return {tuple(cell.text for cell in row.cells) for table in document.tables[1:] for row in table.rows}


def test_the_report_states_plan_ii1_a_b_c_the_follow_up_and_the_team(plan_world, coordinator):
    report = services.create_report(plan_world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    document = Document(io.BytesIO(report_docx(report, issued_on=datetime.date(2021, 12, 22))))
    body, rows = _texts(document), _rows(document)

    # (a) the direction documents (the report's own field, proposed from the campaign) and the units' own
    directions = body.index("1.1. Văn bản chỉ đạo đã ban hành")
    assert body[directions + 1].startswith("- ") and report.direction_documents.splitlines()[0] in body[directions + 1]
    assert ("Số đơn vị đã ban hành văn bản chỉ đạo, tuyên truyền cài đặt PC-Covid, tạo và quét mã QR: 1/1 (100%), "
            "gồm: UBND Huyện Can Lộc (Công văn số 12/UBND ngày 20/11/2021).") in body
    # PC-Covid installations the visits collected, by district and overall, in the Vietnamese form
    assert ("Tại 2 đơn vị cung cấp số liệu, 1.080/1.220 cán bộ, nhân viên đã cài đặt ứng dụng PC-Covid (88,5%)."
            in body)
    assert ("Huyện Can Lộc", "2", "1.080", "1.220", "88,5%") in rows
    # (b) by district: QR board, guide, declaring for others, old codes; QR codes created and scans
    assert ("Huyện Can Lộc", "2", "1", "1", "2", "1") in rows
    assert ("Thành phố Hà Tĩnh", "1", "0", "0", "0", "0") in rows  # a visit without answers counts no item
    assert ("Huyện Can Lộc", "1", "1", "0", "3", "3.840") in rows
    # (c) the portal: accounts, use, F1 tracing
    assert ("Số đơn vị có tài khoản quản lý trên quanly.pccovid.gov.vn: 1/1 (100%); trong đó khai thác thống kê, "
            "báo cáo phục vụ chỉ đạo: 1/1 (100%); sử dụng phục vụ truy vết F1: 1/1 (100%).") in body
    # the follow-up in the body
    follow = body.index("6. Việc đôn đốc, nhắc nhở, xử lý")
    assert body[follow + 1] == "Đã yêu cầu 1 đơn vị khắc phục 1 tồn tại, có thời hạn (chi tiết tại Phụ lục III)."
    assert body[follow + 2] == ("Đôn đốc (gia hạn, kiểm tra lại): 0 đơn vị; nhắc nhở bằng văn bản: 1 đơn vị; "
                                "đề nghị cơ quan có thẩm quyền xử lý: 0 đơn vị.")
    assert body[follow + 3] == "Kết quả: đã khắc phục 0, không khắc phục 0, đang theo dõi 1 tồn tại."
    # the team as it travelled
    assert "Thành phần: 2 tổ kiểm tra, 3 thành viên, gồm: đại diện Sở Y tế." in body


def test_section_iii_proposes_what_the_figures_support_and_keeps_the_coordinators_text(
        plan_world, coordinator, leadership):
    report = services.create_report(plan_world["campaign"], as_of=MID_DECEMBER, by=coordinator)

    proposal = report.recommendations.splitlines()
    assert proposal[0].startswith("1. Đối với UBND tỉnh: Giao Sở Thông tin và Truyền thông tiếp tục đôn đốc, nhắc "
                                  "nhở 1 đơn vị")
    assert ("Đề nghị UBND Huyện Can Lộc đôn đốc các cơ quan, đơn vị, địa điểm trên địa bàn niêm yết bảng mã QR địa "
            "điểm (mới đạt 1/2 đơn vị được kiểm tra, 50%).") in proposal[1]
    assert "Chợ Nghèn: gỡ bỏ các mã QR cũ không phải của PC-Covid" in proposal[2]
    assert "Chợ Nghèn: bố trí người hướng dẫn" in proposal[2]
    # a retake proposes again while the text is as proposed ...
    Visit.objects.filter(pk=plan_world["school"].pk).delete()
    report = services.retake(report, by=coordinator)
    assert report.recommendations.splitlines()[1].startswith("2. Đối với UBND các huyện, thành phố, thị xã: Đề nghị")
    # ... and keeps it once the coordinator has edited it; the approved report prints the edited text
    edited = report.recommendations.replace("Đề nghị UBND Huyện Can Lộc", "Đề nghị UBND huyện Can Lộc sớm")
    services.update_texts(report, by=coordinator, recommendations=edited)
    report = services.retake(ProvincialReport.objects.get(pk=report.pk), by=coordinator)
    assert report.recommendations == edited
    report = services.approve(report, by=leadership)
    body = _texts(Document(io.BytesIO(report_docx(report))))
    section = body.index("III. KIẾN NGHỊ, ĐỀ XUẤT")
    assert body[section + 1:section + 4] == edited.splitlines()


# ------------------------------------------------------------------------------ the snapshot, read another way


def _row_of(visit):
    """A visit's row of the snapshot, read from its objects one by one (no query of the snapshot's)."""
    answers = [answer for answer in visit.answers.select_related("item").order_by("item__section__order",
                                                                                   "item__order")
               if answer.item.code in provincial.PLAN_ITEMS]
    unit = visit.unit
    return {"id": visit.pk, "unit_id": unit.pk, "unit": unit.name, "district": unit.commune.parent.code,
            "commune": unit.commune.code, "commune_name": unit.commune.name, "category": unit.category.code,
            "day": timezone.localtime(visit.starts_at).date().isoformat(),
            **{code: visit.conclusion.get(code, "") for code in CRITERIA},
            "qr_codes": visit.qr_codes, "scans": visit.scans_last_7_days, "staff_total": visit.staff_total,
            "staff_with_app": visit.staff_with_app, "portal_accounts": visit.portal_accounts,
            "items": {answer.item.code: answer.value if isinstance(answer.value, str) else "" for answer in answers},
            "direction": next((answer.note.strip() for answer in answers
                               if answer.item.code == "a1" and answer.value == "yes"), "")}


def _counted(campaign, as_of):
    return [visit for visit in Visit.objects.filter(campaign=campaign, status=Visit.Status.APPROVED)
            .select_related("unit__commune__parent", "unit__category").order_by("starts_at", "id")
            if timezone.localtime(visit.starts_at).date() <= as_of]


def test_the_snapshot_holds_each_visit_as_its_objects_read_one_by_one(plan_world, coordinator):
    market, committee = plan_world["market_visit"], plan_world["committee_visit"]
    # a note with spaces around it (a no-break space and a line break among them), and a plan item
    # answered with something else than text
    Answer.objects.filter(visit=committee, item__code="a1").update(note="\u00a0 Công văn số 12/UBND\n")
    Answer.objects.filter(visit=market, item__code="b5").update(value=12)
    counted = _counted(plan_world["campaign"], MID_DECEMBER)

    snapshot = provincial.take_snapshot(plan_world["campaign"], MID_DECEMBER, coordinator)

    expected = [_row_of(visit) for visit in counted]
    # the same rows, keys in the same order, values of the same types (JSON tells 12 from "12")
    assert json.dumps(snapshot["visits"], ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    assert [row["id"] for row in snapshot["visits"]] == [market.pk, committee.pk, plan_world["school"].pk]
    by_id = {row["id"]: row for row in snapshot["visits"]}
    assert by_id[committee.pk]["direction"] == "Công văn số 12/UBND"
    assert by_id[market.pk]["items"]["b5"] == "" and by_id[market.pk]["items"]["b4"] == "no"
    short = [visit for visit in counted if visit.conclusion.get("overall") in SHORT_OF_COMPLIANCE]
    assert snapshot["corrections"] == {
        str(visit.pk): [{"description": correction.description,
                         "deadline": (correction.follow_up.deadline or correction.deadline).isoformat(),
                         "outcome": correction.follow_up.outcome, "steps": correction.follow_up.steps.count()}
                        for correction in visit.corrections.order_by("deadline", "id")]
        for visit in short if visit.corrections.exists()}
    assert snapshot["steps"] == [
        {"visit": step.follow_up.correction.visit_id, "kind": step.kind, "date": step.date.isoformat()}
        for step in FollowUpStep.objects.filter(follow_up__correction__visit__in=short).order_by("date", "id")]
    assert len(snapshot["steps"]) == 1
    assert snapshot["team_bodies"] == sorted(
        [kind, name] for kind, name in {(person.organization.kind, person.organization.name)
                                        for visit in counted if visit.itinerary
                                        for person in visit.itinerary.people.all() if person.organization})
    assert snapshot["team_bodies"] == [["health", "Sở Y tế"]]


@pytest.mark.parametrize("visits", [1, 3])
def test_the_snapshot_runs_a_fixed_number_of_queries(world, coordinator, visits, django_assert_num_queries):
    Visit.objects.exclude(pk__in=[world["market_visit"].pk, world["school"].pk, world["committee_visit"].pk][
        :visits]).delete()
    # the author's roles, the visits' rows, their answers, the pending count, the corrections and the
    # follow-up steps of those short of compliance, the bodies who travelled, the teams' people, the
    # districts, the categories
    with django_assert_num_queries(10):
        snapshot = provincial.take_snapshot(world["campaign"], MID_DECEMBER, coordinator)
    assert len(snapshot["visits"]) == visits


def test_the_date_of_issue_dates_the_report_and_cannot_precede_its_figures(client, world, coordinator):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    client.force_login(coordinator)
    url = reverse("reports:report_detail", args=[report.pk])

    response = client.post(url, {"issued_on": "14/12/2021", "strengths": "Không lưu"})
    assert response.status_code == 200
    assert "Ngày ban hành không được trước ngày chốt số liệu (15/12/2021)." in response.content.decode()
    report.refresh_from_db()
    assert (report.issued_on, report.strengths) == (None, "")

    assert client.post(url, {"issued_on": "20/12/2021"}).status_code == 302
    report.refresh_from_db()
    header = Document(io.BytesIO(report_docx(report))).tables[0]
    assert header.cell(1, 1).text == "Hà Tĩnh, ngày 20 tháng 12 năm 2021"
