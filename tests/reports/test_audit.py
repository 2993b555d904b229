"""The audit page (/nhat-ky/): who opened which confidential visit or document and who
changed what, filtered, paginated under a fixed number of queries, exported to .xlsx;
for the Inspectorate and leadership only."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from inspections import schedule
from inspections.models import VisitViewLog
from inspections.schedule import PlannedVisit
from reports.audit import AuditExporter, audit_entries, describe
from tests.factories import make_campaign
from tests.inspections.test_schedule import at, build_schedule, plan
from units.services import update_unit

OPENED = VisitViewLog.Opened
AUDIT = reverse("reports:audit")


@pytest.fixture
def world(db, campaign, coordinator):
    """An itinerary sent to team 1 with the market; nothing opened yet."""
    world = build_schedule(campaign, coordinator)
    itinerary, _check = plan(world, visits=[PlannedVisit(world["market"], at(8), at(9))])
    schedule.send_schedule(itinerary, by=coordinator)
    world["itinerary"], world["visit"] = itinerary, itinerary.visits.get()
    return world


def entries(**filters):
    with translation.override("en"):
        return [(e.person.username if e.person else None, str(e.kind_label), e.record, e.what, e.changes, e.reason)
                for e in describe(audit_entries(**filters))]


@pytest.mark.parametrize(("fixture", "status"), [
    (None, 302), ("no_role_user", 403), ("office", 403), ("inspector", 403), ("team_leader", 403),
    ("coordinator", 200), ("leadership", 200), ("administrator", 200)])
@pytest.mark.parametrize("url", [AUDIT, reverse("reports:audit_export")])
def test_only_the_inspectorate_and_leadership_read_the_audit(client, request, campaign, fixture, status, url):
    if fixture:
        client.force_login(request.getfixturevalue(fixture))

    assert client.get(url).status_code == status


def test_openings_of_pages_and_documents_say_who_what_and_which_visit(client, world):
    teamlead = world["people"]["teamlead"]
    client.force_login(teamlead)
    client.get(reverse("inspections:visit_detail", args=[world["visit"].pk]))
    client.get(reverse("reports:visit_minutes_pdf", args=[world["visit"].pk]))

    assert entries(kind="opened") == [
        ("teamlead", "Opened", "Chợ Nghèn · 07/12/2021", "Minutes (PDF)", (), ""),
        ("teamlead", "Opened", "Chợ Nghèn · 07/12/2021", "Visit page", (), "")]


def test_changes_show_labels_and_names_not_codes(world, coordinator):
    visit = world["visit"]
    schedule.cancel_visit(visit, reason="Đơn vị tạm đóng cửa", by=coordinator)
    update_unit(world["market"], by=coordinator, name="Chợ Nghèn mới")

    assert entries(kind="visit")[:2] == [
        ("coordinator", "Visit", "Chợ Nghèn mới · 07/12/2021", "",
         (("status", "Scheduled", "Cancelled"), ("reason", None, "Đơn vị tạm đóng cửa")), ""),
        ("coordinator", "Visit", "Chợ Nghèn mới · 07/12/2021", "", (("status", "Planned", "Scheduled"),), "")]
    assert entries(kind="unit")[0] == ("coordinator", "Unit", "Chợ Nghèn mới", "",
                                       (("name", "Chợ Nghèn", "Chợ Nghèn mới"),), "")
    assert entries(kind="unit")[-1][3] == "Created"


def test_filters_by_person_campaign_dates_and_kind(world, coordinator, leadership):
    visit = world["visit"]
    VisitViewLog.objects.record([visit], user=leadership, opened=OPENED.VISIT_PAGE)
    VisitViewLog.objects.record([visit], user=coordinator, opened=OPENED.ROUTE_SHEET)
    other_campaign = make_campaign(title="Kế hoạch khác")
    today = timezone.localdate()

    assert [e[0] for e in entries(person=leadership)] == ["leader"]
    assert [e[3] for e in entries(person=coordinator, kind="opened")] == ["Route sheet"]
    assert [e[1] for e in entries(campaign=other_campaign)] == ["Campaign"]  # its creation; no unit (no campaign)
    assert entries(date_to=today - datetime.timedelta(days=1)) == []
    assert len(entries(date_from=today, date_to=today)) == len(entries())


def test_the_page_lists_in_vietnamese_and_keeps_the_filters_in_its_links(client, world, coordinator):
    VisitViewLog.objects.record([world["visit"]], user=world["people"]["doctor"], opened=OPENED.NOTICE_PDF)
    client.force_login(coordinator)

    response = client.get(AUDIT, {"kind": "opened"})

    page = response.content.decode()
    assert [(e.person.username, e.what) for e in response.context["entries"]] == [
        ("doctor", "Thông báo lịch kiểm tra (PDF)")]
    assert f'href="{reverse("reports:audit_export")}?kind=opened"' in page
    assert f'<a class="nav-link active"\n              aria-current="page" href="{AUDIT}">' in page


def test_the_menu_links_the_audit_for_its_readers_only(client, world, coordinator, office):
    client.force_login(coordinator)
    assert f'href="{AUDIT}"' in client.get(reverse("home")).content.decode()
    client.force_login(office)
    assert f'href="{AUDIT}"' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_the_audit_page_runs_a_fixed_number_of_queries(client, world, coordinator, count, django_assert_num_queries):
    for number in range(count):
        VisitViewLog.objects.record([world["visit"]], user=coordinator, opened=OPENED.MINUTES_PRINT)
        update_unit(world["market"], by=coordinator, name=f"Chợ Nghèn {number}")
    client.force_login(coordinator)

    # session, user with groups; the count and the page of the union; the openings (users, visits, units); per kind
    # of history on the page its records and the versions they follow (unit, visit, itinerary: 2 each; the
    # campaign, only created: 1); the people and the campaigns of the filter form
    with django_assert_num_queries(14):
        response = client.get(AUDIT)
    shown = [e.record for e in response.context["entries"] if e.kind == "unit"]
    assert shown[:count] == [f"Chợ Nghèn {n}" for n in reversed(range(count))]
    assert len([e for e in response.context["entries"] if e.kind == "opened"]) == count


def test_the_export_holds_the_filtered_entries(client, world, coordinator):
    VisitViewLog.objects.record([world["visit"]], user=world["people"]["doctor"], opened=OPENED.MINUTES_PDF)
    with translation.override("en"):
        rows = list(AuditExporter(audit_entries(kind="opened")).rows())
    assert [row[1:] for row in rows] == [["Doctor", "Opened", "Chợ Nghèn · 07/12/2021", "Minutes (PDF)", ""]]
    client.force_login(coordinator)

    response = client.get(reverse("reports:audit_export"), {"kind": "opened"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0] == ("Thời gian", "Cán bộ", "Loại", "Hồ sơ", "Nội dung", "Lý do")
    assert values[1][1:] == ("Doctor", "Mở xem", "Chợ Nghèn · 07/12/2021", "Biên bản (PDF)", None)
    assert isinstance(values[1][0], datetime.datetime)
