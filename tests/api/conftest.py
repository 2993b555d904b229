"""The API's world: two teams of one campaign, each with a sent itinerary of its own,
and a schedule not yet sent to team 2; every caller signs in with a bearer token."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from api.services import issue_token
from inspections import fieldwork, schedule
from inspections.checklist_2021 import seed_checklist_2021
from inspections.models import Organization, TeamMembership, Vehicle, Visit
from inspections.schedule import PlannedVisit
from tests.factories import make_campaign, make_organization, make_team, make_unit, make_user
from units.services import load_divisions

DAY_1, DAY_2, DAY_3 = datetime.date(2021, 12, 7), datetime.date(2021, 12, 9), datetime.date(2021, 12, 14)


def at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def itinerary_for(campaign, team_name, day, units, *, by, vehicle, send=True):
    itinerary, check = schedule.save_itinerary(
        campaign=campaign, date=day, departs_at=datetime.time(7), returns_at=datetime.time(17), vehicle=vehicle,
        people=TeamMembership.objects.filter(team__campaign=campaign, team__name=team_name),
        visits=[PlannedVisit(unit, at(day, 8 + 2 * n), at(day, 9 + 2 * n)) for n, unit in enumerate(units)],
        by=by, warnings_confirmed=True)
    assert itinerary is not None, check
    if send:
        schedule.send_schedule(itinerary, by=by)
    return itinerary


@pytest.fixture
def world(db, coordinator, leadership):
    load_divisions()
    campaign = make_campaign(checklist=seed_checklist_2021())
    health = make_organization("Sở Y tế", kind=Organization.Kind.HEALTH)
    leader = make_user("leader1", Role.TEAM_LEADER, Role.INSPECTOR)
    member = make_user("member1", Role.INSPECTOR)
    outsider = make_user("member2", Role.INSPECTOR)
    make_team(campaign, "Tổ 1", [(leader, TeamMembership.Position.LEADER, health),
                                 (member, TeamMembership.Position.MEMBER, health)])
    make_team(campaign, "Tổ 2", [(outsider, TeamMembership.Position.MEMBER, health)])
    vehicle = Vehicle.objects.create(plate="38A-1", seats=4, driver_name="Lái xe")
    market = make_unit("Chợ Nghèn", commune=18406, category="cho")
    committee = make_unit("UBND Huyện Can Lộc", commune=18406, category="ubnd_huyen")
    school = make_unit("Trường THCS Thạch Trung", commune=18070, category="truong_hoc")
    hospital = make_unit("Bệnh viện Đa khoa tỉnh", commune=18070, category="benh_vien_co_so_y_te")
    team_1 = itinerary_for(campaign, "Tổ 1", DAY_1, [market, committee], by=coordinator, vehicle=vehicle)
    team_2 = itinerary_for(campaign, "Tổ 2", DAY_2, [school], by=coordinator, vehicle=vehicle)
    unsent = itinerary_for(campaign, "Tổ 2", DAY_3, [hospital], by=coordinator, vehicle=vehicle, send=False)
    visits = {visit.unit.name: visit for visit in Visit.objects.select_related("unit")}
    return {"campaign": campaign, "coordinator": coordinator, "leadership": leadership, "leader": leader,
            "member": member, "outsider": outsider, "team_1": team_1, "team_2": team_2, "unsent": unsent,
            "market": visits["Chợ Nghèn"], "committee": visits["UBND Huyện Can Lộc"],
            "school": visits["Trường THCS Thạch Trung"], "hospital": visits["Bệnh viện Đa khoa tỉnh"]}


def api_client(user) -> Client:
    """A client signed in as `user` with a token of theirs, as an outside system."""
    _token, raw = issue_token(user=user, name="test")
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def as_role(world):
    """as_role("member") → a client of that person of the world."""
    return lambda name: api_client(world[name])


def started(visit, by):
    return fieldwork.start_visit(visit, by=by)
