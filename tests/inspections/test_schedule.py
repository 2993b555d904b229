"""The plan's scheduling rules (DESIGN §3 rules 1–3) and the confidentiality of a
surprise schedule over every page that shows visits."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from inspections import schedule
from inspections.models import Itinerary, Organization, ScheduleNotice, TeamMembership, Vehicle, Visit, VisitViewLog
from inspections.schedule import PlannedVisit
from tests.factories import make_organization, make_team, make_unit, make_user
from units.services import load_divisions

DAY = datetime.date(2021, 12, 7)


@pytest.fixture(autouse=True)
def in_english():
    """The rules' messages are asserted in the source language (their Vietnamese is in locale/vi)."""
    with translation.override("en"):
        yield


def at(hour, minute=0, day=DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def world(db, campaign, coordinator):
    return build_schedule(campaign, coordinator)


def build_schedule(campaign, coordinator):
    """A team of three (leader, health, district VHTT), an inspector of another team, a stranger,
    a vehicle, a market and a school in Can Lộc: nothing planned yet."""
    load_divisions()
    inspectorate = make_organization("Thanh tra Sở")
    health = make_organization("Sở Y tế", kind=Organization.Kind.HEALTH)
    from units.models import Division

    can_loc = Division.objects.get(level=2, code=443)
    vhtt = make_organization("Phòng VHTT Can Lộc", kind=Organization.Kind.DISTRICT_VHTT, district=can_loc)
    people = {name: make_user(name, Role.INSPECTOR, email=f"{name}@example.invalid")
              for name in ("teamlead", "doctor", "vhtt", "stranger", "other")}
    team = make_team(campaign, "Tổ 1", [(people["teamlead"], TeamMembership.Position.LEADER, inspectorate),
                                        (people["doctor"], TeamMembership.Position.MEMBER, health),
                                        (people["vhtt"], TeamMembership.Position.MEMBER, vhtt)])
    other_team = make_team(campaign, "Tổ 2", [(people["other"], TeamMembership.Position.MEMBER, inspectorate)])
    memberships = {m.user.username: m for m in TeamMembership.objects.select_related("user", "organization")}
    vehicle = Vehicle.objects.create(plate="38A-000.01", seats=4, driver_name="Lái xe mẫu")
    market = make_unit("Chợ Nghèn", commune=18406)
    school = make_unit("Trường THCS Nghèn", commune=18406, category="truong_hoc")
    return {"campaign": campaign, "coordinator": coordinator, "people": people, "m": memberships,
            "vehicle": vehicle, "market": market, "school": school, "team": team, "other_team": other_team}


def plan(world, *, date=DAY, people=("teamlead", "doctor", "vhtt"), vehicle=True, visits=None, confirm=True,
         departs=datetime.time(7, 30), returns=datetime.time(11, 30)):
    visits = visits if visits is not None else [PlannedVisit(world["market"], at(8, 0, date), at(9, 30, date))]
    return schedule.save_itinerary(
        campaign=world["campaign"], date=date, departs_at=departs, returns_at=returns,
        vehicle=world["vehicle"] if vehicle else None, people=[world["m"][p] for p in people], visits=visits,
        by=world["coordinator"], warnings_confirmed=confirm)


def test_a_complete_itinerary_is_saved_without_warnings(world):
    itinerary, check = plan(world, confirm=False)

    assert (check.errors, check.warnings) == ([], [])
    assert [v.unit for v in itinerary.visits.all()] == [world["market"]]


def test_a_day_outside_the_campaign_period_is_an_error(world):
    day = datetime.date(2022, 1, 3)
    itinerary, check = plan(world, date=day, visits=[PlannedVisit(world["market"], at(8, 0, day), at(9, 0, day))])

    assert itinerary is None
    assert check.errors == ["03/01/2022 is outside the campaign period (01/12/2021 – 31/12/2021)."]


def test_missing_health_and_district_vhtt_representatives_are_warnings_to_confirm(world):
    itinerary, check = plan(world, people=("teamlead",), confirm=False)

    assert itinerary is None
    assert check.warnings == [
        "No representative of the Department of Health is on this itinerary.",
        "No representative of the VHTT division of Huyện Can Lộc, where a visited unit is."]
    itinerary, _check = plan(world, people=("teamlead",), confirm=True)
    assert itinerary is not None


def test_nobody_and_no_vehicle_on_two_overlapping_itineraries(world):
    plan(world)
    other_unit = make_unit("Chợ Đức Thọ", commune=18229)
    itinerary, check = plan(world, people=("teamlead", "other"),
                            visits=[PlannedVisit(other_unit, at(10, 0), at(11, 0))],
                            departs=datetime.time(9, 0), returns=datetime.time(12, 0))

    assert itinerary is None
    assert check.errors == ["Teamlead is already on the itinerary of 07/12/2021 07:30.",
                            "Vehicle 38A-000.01 is already on the itinerary of 07/12/2021 07:30."]
    # The afternoon does not overlap.
    itinerary, check = plan(world, people=("teamlead",), visits=[PlannedVisit(other_unit, at(14, 0), at(15, 0))],
                            departs=datetime.time(13, 30), returns=datetime.time(16, 0))
    assert check.errors == []


def test_the_vehicle_must_seat_the_people(world):
    world["vehicle"].seats = 2
    world["vehicle"].save()

    itinerary, check = plan(world)

    assert check.errors == ["Vehicle 38A-000.01 has 2 passenger seats for 3 people."]


def test_more_visits_than_the_daily_maximum_is_a_warning(world):
    world["campaign"].max_visits_per_day = 1
    world["campaign"].save()

    _itinerary, check = plan(world, confirm=False, visits=[PlannedVisit(world["market"], at(8), at(9)),
                                                           PlannedVisit(world["school"], at(9, 30), at(10, 30))])

    assert check.warnings == ["2 visits in one day: more than the usual 1."]


def test_overlapping_visits_and_visits_outside_the_hours_are_errors(world):
    _itinerary, check = plan(world, visits=[PlannedVisit(world["market"], at(8), at(9, 30)),
                                            PlannedVisit(world["school"], at(9), at(12))])

    assert check.errors == [
        "The visit to Trường THCS Nghèn is outside the itinerary's hours (07:30 – 11:30).",
        "The visits to Chợ Nghèn and Trường THCS Nghèn overlap."]


def test_sending_tells_exactly_the_people_of_the_itinerary(world):
    itinerary, _check = plan(world)

    with pytest.raises(Exception):  # noqa: B017 — nothing sent before the commit of a TestCase transaction
        assert mail.outbox[0]
    schedule.send_schedule(itinerary, by=world["coordinator"])

    notices = ScheduleNotice.objects.filter(itinerary=itinerary)
    assert sorted(notices.values_list("recipient__username", "channel")) == [
        ("doctor", "email"), ("doctor", "in_app"), ("teamlead", "email"), ("teamlead", "in_app"),
        ("vhtt", "email"), ("vhtt", "in_app")]
    assert set(notices.values_list("sent_by", flat=True)) == {world["coordinator"].pk}
    assert list(itinerary.visits.values_list("status", flat=True)) == [Visit.Status.SCHEDULED]


def test_the_e_mails_go_to_the_people_of_the_itinerary_only(world, django_capture_on_commit_callbacks):
    itinerary, _check = plan(world)

    with django_capture_on_commit_callbacks(execute=True):
        schedule.send_schedule(itinerary, by=world["coordinator"])

    assert sorted(message.to[0] for message in mail.outbox) == [
        "doctor@example.invalid", "teamlead@example.invalid", "vhtt@example.invalid"]
    assert "Chợ Nghèn" in mail.outbox[0].body


@pytest.fixture
def sent(world):
    itinerary, _check = plan(world)
    schedule.send_schedule(itinerary, by=world["coordinator"])
    return itinerary


def test_an_inspector_sees_their_itinerary_only_once_sent(client, world):
    itinerary, _check = plan(world)
    client.force_login(world["people"]["doctor"])
    assert client.get(reverse("inspections:itinerary_detail", args=[itinerary.pk])).status_code == 404

    schedule.send_schedule(itinerary, by=world["coordinator"])

    assert client.get(reverse("inspections:itinerary_detail", args=[itinerary.pk])).status_code == 200


@pytest.mark.parametrize("outsider", ["stranger", "other"])
def test_outsiders_get_404_and_see_nothing_in_lists_or_counts(client, world, sent, outsider):
    client.force_login(world["people"][outsider])
    visit = sent.visits.get()

    assert client.get(reverse("inspections:itinerary_detail", args=[sent.pk])).status_code == 404
    assert client.get(reverse("inspections:visit_detail", args=[visit.pk])).status_code == 404
    schedule = client.get(reverse("inspections:schedule", args=[world["campaign"].pk]))
    assert list(schedule.context["page"]) == [] if schedule.status_code == 200 else schedule.status_code == 404
    assert client.get(reverse("units:unit_detail", args=[world["market"].pk])).status_code == 404
    assert [m.to for m in mail.outbox if world["people"][outsider].email in m.to] == []
    assert ScheduleNotice.objects.filter(recipient=world["people"][outsider]).count() == 0


def test_the_office_and_leadership_see_the_schedule_and_counts(client, world, sent, office, leadership):
    for user in (office, leadership):
        client.force_login(user)
        response = client.get(reverse("inspections:schedule", args=[world["campaign"].pk]))
        assert [i.pk for i in response.context["page"]] == [sent.pk]
    figures = client.get(reverse("inspections:campaign_detail", args=[world["campaign"].pk])).context["figures"]
    assert figures["scheduled"] == 1


def test_every_opening_of_a_scheduled_visit_is_logged(client, world, sent):
    visit = sent.visits.get()
    client.force_login(world["people"]["teamlead"])

    client.get(reverse("inspections:visit_detail", args=[visit.pk]))
    client.get(reverse("inspections:itinerary_detail", args=[sent.pk]))

    assert list(VisitViewLog.objects.order_by("id").values_list("user__username", "visit", "opened")) == [
        ("teamlead", visit.pk, VisitViewLog.Opened.VISIT_PAGE), ("teamlead", visit.pk, VisitViewLog.Opened.ROUTE_SHEET)]


def test_only_the_inspectorate_plans_and_sends_and_only_the_office_confirms(client, world, sent, office):
    client.force_login(world["people"]["teamlead"])
    assert client.post(reverse("inspections:itinerary_send", args=[sent.pk])).status_code == 403
    assert client.get(reverse("inspections:itinerary_create", args=[world["campaign"].pk])).status_code == 403
    assert client.post(reverse("inspections:itinerary_confirm", args=[sent.pk])).status_code == 403

    client.force_login(office)
    client.post(reverse("inspections:itinerary_confirm", args=[sent.pk]))
    sent.refresh_from_db()
    assert sent.confirmed_by == office


def test_cancelling_needs_a_reason_and_keeps_the_visit(client, world, sent):
    visit = sent.visits.get()
    client.force_login(world["coordinator"])

    client.post(reverse("inspections:visit_detail", args=[visit.pk]), {"cancel": "1", "reason": ""})
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SCHEDULED

    client.post(reverse("inspections:visit_detail", args=[visit.pk]), {"cancel": "1", "reason": "Đơn vị nghỉ lễ",
                                                                         "confirm": "xac-nhan"})
    visit.refresh_from_db()
    assert (visit.status, visit.status_reason) == (Visit.Status.CANCELLED, "Đơn vị nghỉ lễ")
    assert visit.history.count() == 3


def test_the_unit_notice_is_recorded_with_who_when_and_how(client, world, sent):
    visit = sent.visits.get()
    client.force_login(world["coordinator"])

    client.post(reverse("inspections:visit_detail", args=[visit.pk]),
                {"notice": "1", "method": "phone", "contact": "Ông Trưởng ban quản lý chợ", "at": "07/12/2021 07:00"})

    visit.refresh_from_db()
    assert (visit.notice_policy, visit.unit_contact, visit.unit_notified_by) == (
        "phone", "Ông Trưởng ban quản lý chợ", world["coordinator"])
    assert timezone.localtime(visit.unit_notified_at).strftime("%d/%m/%Y %H:%M") == "07/12/2021 07:00"


def test_a_changed_itinerary_that_was_sent_is_sent_again(world, sent):
    before = ScheduleNotice.objects.count()

    plan_again = schedule.save_itinerary(
        campaign=world["campaign"], date=DAY, departs_at=datetime.time(7), returns_at=datetime.time(11, 30),
        vehicle=world["vehicle"], people=[world["m"][p] for p in ("teamlead", "doctor", "vhtt")],
        visits=[PlannedVisit(world["market"], at(8, 30), at(10))], by=world["coordinator"], itinerary=sent,
        warnings_confirmed=True)

    assert plan_again[0] == sent
    assert ScheduleNotice.objects.count() == before + 6


@pytest.mark.parametrize("count", [1, 3])
def test_the_schedule_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, count):
    for day in range(count):
        date = DAY + datetime.timedelta(days=day)
        plan(world, date=date, visits=[PlannedVisit(world["market"], at(8, 0, date), at(9, 0, date))])
    client.force_login(world["coordinator"])

    # session, user with their groups, campaign, itineraries per day (calendar), count, itineraries; people and their
    # users; visits, their units, communes and districts; the filter's districts, people and vehicles
    with django_assert_num_queries(15):
        response = client.get(reverse("inspections:schedule", args=[world["campaign"].pk]))
    assert len(response.context["page"]) == count


def test_the_never_inspected_filter_ignores_planned_visits(client, world, sent, coordinator):
    client.force_login(coordinator)
    url = reverse("units:unit_list")

    names = [u.name for u in client.get(url, {"never_inspected": "on"}).context["page"]]
    assert names == ["Chợ Nghèn", "Trường THCS Nghèn"]

    Visit.objects.filter(itinerary=sent).update(status=Visit.Status.SUBMITTED)
    names = [u.name for u in client.get(url, {"never_inspected": "on"}).context["page"]]
    assert names == ["Trường THCS Nghèn"]


def test_itineraries_are_by_campaign(world, sent):
    assert list(Itinerary.objects.visible_to(world["people"]["teamlead"])) == [sent]


def test_the_calendar_counts_itineraries_per_day_and_filters_by_person_vehicle_day_and_week(client, world):
    plan(world)
    later = DAY + datetime.timedelta(days=8)
    plan(world, date=later, people=("other",), vehicle=False,
         visits=[PlannedVisit(world["school"], at(8, 0, later), at(9, 0, later))])
    client.force_login(world["coordinator"])
    url = reverse("inspections:schedule", args=[world["campaign"].pk])

    response = client.get(url)
    days = {day: count for _month, weeks in response.context["months"] for week in weeks
            for day, in_month, count in week if in_month and count}
    assert days == {DAY: 1, later: 1}

    def listed(**query):
        return [i.date for i in client.get(url, query).context["page"]]

    assert listed(person=world["people"]["other"].pk) == [later]
    assert listed(vehicle=world["vehicle"].pk) == [DAY]
    assert listed(day="07/12/2021") == [DAY]
    assert listed(day="09/12/2021", week="on") == [DAY]
    assert listed(day="15/12/2021", week="on") == [later]


def test_the_printable_notice_is_for_the_itinerarys_people_only(client, world, sent):
    url = reverse("reports:itinerary_notice_pdf", args=[sent.pk])
    client.force_login(world["people"]["doctor"])

    response = client.get(url)

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    client.force_login(world["people"]["other"])
    assert client.get(url).status_code == 404


def test_the_in_app_notice_is_new_until_the_itinerary_is_opened(client, world, sent):
    doctor = world["people"]["doctor"]
    client.force_login(doctor)

    home = client.get(reverse("home"))
    assert [(i.pk, i.unread) for i in home.context["itineraries"]] == [(sent.pk, 1)]

    client.get(reverse("inspections:itinerary_detail", args=[sent.pk]))

    home = client.get(reverse("home"))
    assert [(i.pk, i.unread) for i in home.context["itineraries"]] == [(sent.pk, 0)]
    assert ScheduleNotice.objects.get(recipient=doctor, channel="in_app").read_at is not None


def test_the_teams_page_lists_members_positions_and_bodies(client, world, office):
    client.force_login(office)

    response = client.get(reverse("inspections:team_list", args=[world["campaign"].pk]))

    teams = {team.name: [(m.user.username, m.position, m.organization.name) for m in team.memberships.all()]
             for team in response.context["teams"]}
    assert teams == {"Tổ 1": [("teamlead", "leader", "Thanh tra Sở"), ("doctor", "member", "Sở Y tế"),
                              ("vhtt", "member", "Phòng VHTT Can Lộc")],
                     "Tổ 2": [("other", "member", "Thanh tra Sở")]}
    client.force_login(world["people"]["stranger"])
    assert client.get(reverse("inspections:team_list", args=[world["campaign"].pk])).status_code == 404


def test_a_units_page_shows_its_campaigns_and_the_visits_the_viewer_may_see(client, world, sent, coordinator):
    from inspections.models import Target

    Target.objects.create(campaign=world["campaign"], unit=world["market"], added_by=coordinator)
    url = reverse("units:unit_detail", args=[world["market"].pk])
    client.force_login(coordinator)

    response = client.get(url)

    assert [t.campaign for t in response.context["targets"]] == [world["campaign"]]
    assert [v.itinerary for v in response.context["visits"]] == [sent]


def test_an_inspector_sees_in_the_registry_the_units_of_their_sent_visits_only(client, world, sent):
    client.force_login(world["people"]["doctor"])

    response = client.get(reverse("units:unit_list"))

    assert [unit.name for unit in response.context["page"]] == ["Chợ Nghèn"]
    assert client.get(reverse("units:unit_detail", args=[world["school"].pk])).status_code == 404
