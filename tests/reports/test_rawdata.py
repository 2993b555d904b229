"""The analysts' raw data export: the workbook of a known dataset, user text kept as
text, who may ask for it and see it, a fixed number of queries, the job's progress."""

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.roles import Role
from config import jobs
from inspections import fieldwork
from inspections.checklist_2021 import seed_checklist_2021
from inspections.models import Answer, ChecklistItem, Visit
from reports import rawdata
from reports.models import RawExport
from tests.factories import job_held_by_a_worker, make_campaign, make_unit, make_user
from tests.inspections.test_fieldwork import answer_all, build
from units.exporters import render_xlsx
from units.services import load_divisions

VISIT_HEADERS = ["Visit ID", "Unit", "Category", "District", "Commune", "Date", "Status", "Conclusion a",
                 "Conclusion b", "Conclusion c", "Overall conclusion", "Staff", "Staff with PC-Covid installed",
                 "Location QR codes", "Scans in the last 7 days", "Portal accounts", "Shortcomings",
                 "Recommendations"]
ANSWER_HEADERS = ["Visit ID", "Unit", "District", "Criterion", "Item code", "Question", "Answer", "Note", "Saved at"]


@pytest.fixture
def world(db, coordinator):
    """Two approved visits of 07/12/2021 in Can Lộc: the market partly compliant, with
    its figures, shortcomings and a note; the committee compliant."""
    world = build(coordinator)
    market = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(market, world["member"], {"b4": "no"})
    fieldwork.save_answer(market, item=ChecklistItem.objects.get(code="b4"), raw="no", note="Không có người nhắc",
                          by=world["member"])
    fieldwork.record_figures(market, figures={"staff_total": 20, "staff_with_app": 15, "qr_codes": 2,
                                              "scans_last_7_days": 140, "portal_accounts": 1},
                             taken_at=None, by=world["member"])
    Visit.objects.filter(pk=market.pk).update(shortcomings="Chưa có người nhắc quét mã",
                                              recommendations="Bố trí người hướng dẫn")
    fieldwork.submit_visit(market, by=world["member"], key="m")
    fieldwork.approve_visit(market, by=world["leader"])
    committee = fieldwork.start_visit(world["committee"], by=world["member"])
    answer_all(committee, world["member"])
    fieldwork.submit_visit(committee, by=world["member"], key="c")
    fieldwork.approve_visit(committee, by=world["leader"])
    return world


def export_for(campaign, user) -> RawExport:
    export = RawExport.objects.create(campaign=campaign, requested_by=user)
    return RawExport.objects.select_related("campaign", "requested_by").get(pk=export.pk)


def sheets_of(export: RawExport) -> dict[str, list[tuple]]:
    with export.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def test_the_workbook_of_a_known_dataset(client, world, coordinator, django_capture_on_commit_callbacks):
    market, committee = world["market"], world["committee"]
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:raw_export_create", args=[world["campaign"].pk]))
    export = RawExport.objects.get()
    assert response.url == reverse("reports:raw_export_detail", args=[export.pk])
    assert (export.status, export.requested_by, export.progress_done, export.progress_total, export.percent) == (
        "done", coordinator, 23, 23, 100)
    assert export.file.name.startswith(f"exports/{timezone.now():%Y/%m}/du-lieu-tho-{world['campaign'].pk}-")
    detail = client.get(response.url)
    assert reverse("reports:raw_export_download", args=[export.pk]) in detail.content.decode()

    download = client.get(reverse("reports:raw_export_download", args=[export.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="du-lieu-tho-')
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == ["Visits", "Answers"]
    visits = list(workbook["Visits"].iter_rows(values_only=True))
    day = datetime.datetime(2021, 12, 7)
    assert visits == [
        tuple(VISIT_HEADERS),
        (market.pk, "Chợ Nghèn", "Market", "Huyện Can Lộc", "Thị trấn Nghèn", day, "Approved", "Compliant",
         "Partly compliant", None, "Partly compliant", 20, 15, 2, 140, 1, "Chưa có người nhắc quét mã",
         "Bố trí người hướng dẫn"),
        (committee.pk, "UBND Huyện Can Lộc", "District People's Committee", "Huyện Can Lộc", "Thị trấn Nghèn", day,
         "Approved", "Compliant", "Compliant", "Compliant", "Compliant", None, None, None, None, None, None, None),
    ]
    assert workbook["Visits"]["F2"].number_format == "dd/mm/yyyy"

    answers = list(workbook["Answers"].iter_rows(values_only=True))
    assert answers[0] == tuple(ANSWER_HEADERS)
    texts = dict(ChecklistItem.objects.values_list("code", "text"))
    expected_market = [("a2", "Yes"), ("a3", 80), ("b1", "Yes"), ("b2", "Yes"), ("b3", "No"), ("b4", "No"),
                       ("b5", "Yes"), ("b6", 12)]
    expected_committee = [("a1", "Yes"), ("a2", "Yes"), ("a3", 80), ("b1", "Yes"), ("b2", "Yes"), ("b3", "No"),
                          ("b4", "Yes"), ("b5", "Yes"), ("b6", 12), ("c1", "Yes"), ("c2", "Yes"), ("c3", "Yes"),
                          ("c4", "ghi chú")]
    assert [row[:8] for row in answers[1:]] == [
        *[(market.pk, "Chợ Nghèn", "Huyện Can Lộc", code[0], code, texts[code], value,
           "Không có người nhắc" if code == "b4" else None) for code, value in expected_market],
        *[(committee.pk, "UBND Huyện Can Lộc", "Huyện Can Lộc", code[0], code, texts[code], value, None)
          for code, value in expected_committee],
    ]
    saved_at = Answer.objects.get(visit=market, item__code="a2").saved_at
    assert answers[1][8] == timezone.localtime(saved_at).replace(tzinfo=None, microsecond=0)


def test_headers_and_answers_follow_the_language_asked_in(world, coordinator):
    export = export_for(world["campaign"], coordinator)

    with translation.override("vi"):
        rawdata.write_raw_export(export)
        titles = [str(translation.pgettext("raw data sheet", "Visits")),
                  str(translation.pgettext("raw data sheet", "Answers"))]
    sheets = sheets_of(export)
    assert list(sheets) == titles
    answers = sheets[titles[1]]
    assert (answers[0][1], answers[1][6], answers[5][6]) == ("Đơn vị", "Có", "Không")


def test_user_text_stays_text(world, coordinator):
    market = world["market"]
    market.unit.name = "=HYPERLINK(\"http://example.com\",\"x\")"
    market.unit.save()
    Answer.objects.filter(visit=market, item__code="b4").update(note="+84 912 345 678")
    Visit.objects.filter(pk=market.pk).update(shortcomings="-", recommendations="@SUM(A1:A2)")
    export = export_for(world["campaign"], coordinator)

    rawdata.write_raw_export(export)

    with export.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    visits, answers = workbook.worksheets
    for cell, value in [(visits["B2"], market.unit.name), (visits["Q2"], "-"), (visits["R2"], "@SUM(A1:A2)"),
                        (answers["B2"], market.unit.name), (answers["H7"], "+84 912 345 678")]:
        assert (cell.data_type, cell.value) == ("s", value)


def test_an_inspector_sees_only_the_visits_of_their_own_itineraries(world):
    """Not a DIC role, so an inspector may not ask (403 below); but the scope the job
    reads is the requester's, checked here for someone outside the itinerary."""
    export = export_for(world["campaign"], world["outsider"])

    rawdata.write_raw_export(export)

    sheets = list(sheets_of(export).values())
    assert [len(rows) for rows in sheets] == [1, 1]  # the headers only
    assert (export.status, export.progress_total) == ("done", 0)


@pytest.mark.parametrize("visits", [1, 3])
def test_the_export_runs_a_fixed_number_of_queries(db, coordinator, visits, django_assert_num_queries):
    load_divisions()
    campaign = make_campaign(checklist=seed_checklist_2021())
    items = list(ChecklistItem.objects.filter(code__in=["a2", "a3", "b1"]))
    for index, commune in enumerate([18070, 18229, 18409][:visits]):
        visit = Visit.objects.create(
            campaign=campaign, unit=make_unit(f"Chợ số {index}", commune=commune), status=Visit.Status.APPROVED,
            conclusion={"a": "dat", "overall": "dat"}, starts_at=timezone.now(),
            ends_at=timezone.now() + datetime.timedelta(hours=1))
        Answer.objects.bulk_create(Answer(visit=visit, item=item, value="yes", saved_by=coordinator) for item in items)
    export = export_for(campaign, coordinator)

    # the worker's lock; running; the requester's roles; count visits, answers; total; categories; visits;
    # items; answers; done; the lock let go
    with django_assert_num_queries(12):
        rawdata.write_raw_export(export)
    assert (export.status, export.progress_done, export.progress_total) == ("done", 4 * visits, 4 * visits)


def test_progress_is_reported_every_thousand_rows():
    class Numbers:
        def __init__(self, count):
            self.count = count

        def title(self):
            return f"n{self.count}"

        def headers(self):
            return ["n"]

        def rows(self):
            return ([number] for number in range(self.count))

    reported = []
    handle = io.BytesIO()

    written = render_xlsx([Numbers(1500), Numbers(1200)], handle, progress=reported.append)

    assert (written, reported) == (2700, [1000, 2000])
    handle.seek(0)
    workbook = load_workbook(handle, read_only=True)
    assert [len(list(workbook[title].values)) for title in ("n1500", "n1200")] == [1501, 1201]


def test_a_failure_is_told_to_the_requester(world, coordinator, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked  # the file cannot be stored under a file
    export = export_for(world["campaign"], coordinator)

    with translation.override("en"):
        rawdata.write_raw_export(export)

    export.refresh_from_db()
    assert (export.status, export.file.name) == ("failed", "")
    assert export.message == ("The export could not be written. Try again; if it fails again, "
                              "tell the administrator.")
    assert export.finished_at is not None


def test_the_job_page_polls_while_it_runs_then_sends_to_the_full_page(client, world, coordinator):
    export = export_for(world["campaign"], coordinator)
    RawExport.objects.filter(pk=export.pk).update(status=RawExport.Status.RUNNING, progress_done=10,
                                                  progress_total=40)
    url = reverse("reports:raw_export_detail", args=[export.pk])
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with job_held_by_a_worker(jobs.RAW_EXPORT, export.pk):
        page = client.get(url).content.decode()
        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}" hx-trigger="every 1s"' in page
    assert fragment.lstrip().startswith('<div id="raw-export-progress"')
    assert 'value="25"' in fragment and "10 of 40 rows" in fragment
    assert client.get(reverse("reports:raw_export_download", args=[export.pk])).status_code == 404

    RawExport.objects.filter(pk=export.pk).update(status=RawExport.Status.FAILED, message="Lỗi ghi tệp")
    done = client.get(url, headers={"HX-Request": "true"})
    assert (done.status_code, done["HX-Redirect"]) == (204, url)
    assert "Lỗi ghi tệp" in client.get(url).content.decode()


def test_a_job_whose_worker_died_is_failed_on_its_page_with_try_again(client, world, coordinator):
    export = export_for(world["campaign"], coordinator)
    RawExport.objects.filter(pk=export.pk).update(status=RawExport.Status.RUNNING, progress_done=10)
    client.force_login(coordinator)

    page = client.get(reverse("reports:raw_export_detail", args=[export.pk])).content.decode()

    export.refresh_from_db()
    assert (export.status, export.message) == (RawExport.Status.FAILED, str(rawdata.INTERRUPTED))
    assert "Thử lại" in page and "tiến trình chạy nền ghi tệp đã kết thúc" in page


@pytest.fixture
def finished(world, coordinator):
    export = export_for(world["campaign"], coordinator)
    rawdata.write_raw_export(export)
    return export


CREATE, DETAIL, DOWNLOAD = "reports:raw_export_create", "reports:raw_export_detail", "reports:raw_export_download"


@pytest.mark.parametrize(("name", "who", "expected"), [
    (CREATE, "anonymous", 302),  # to the login page
    (CREATE, "no_role", 404),  # not in the campaign: it does not exist for them
    (CREATE, "outsider", 403),  # an inspector of the campaign's other team
    (CREATE, "office", 403),
    (CREATE, "leadership", 302),
    (CREATE, "coordinator", 302),
    (DETAIL, "anonymous", 302),
    (DETAIL, "other_coordinator", 404),  # not the requester
    (DETAIL, "leadership", 404),
    (DETAIL, "outsider", 404),
    (DETAIL, "administrator", 200),
    (DETAIL, "coordinator", 200),
    (DOWNLOAD, "anonymous", 302),
    (DOWNLOAD, "other_coordinator", 404),
    (DOWNLOAD, "outsider", 404),
    (DOWNLOAD, "administrator", 200),
    (DOWNLOAD, "coordinator", 200),
])
def test_who_may_ask_for_and_see_an_export(client, world, finished, name, who, expected, request):
    people = {"outsider": world["outsider"], "coordinator": world["coordinator"],
              "no_role": make_user("norole"), "office": make_user("office", Role.OFFICE),
              "leadership": make_user("leader", Role.LEADERSHIP),
              "other_coordinator": make_user("coordinator2", Role.COORDINATOR),
              "administrator": make_user("admin", Role.ADMINISTRATOR)}
    if who != "anonymous":
        client.force_login(people[who])
    pk = world["campaign"].pk if name == CREATE else finished.pk

    response = client.post(reverse(name, args=[pk])) if name == CREATE else client.get(reverse(name, args=[pk]))

    assert response.status_code == expected
    if name == CREATE and expected == 302 and who != "anonymous":
        assert RawExport.objects.filter(requested_by=people[who]).exclude(pk=finished.pk).count() == 1


def test_an_export_is_asked_for_by_post_only(client, world, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse(CREATE, args=[world["campaign"].pk])).status_code == 405

