"""The itinerary proposal (inspections/proposal.py): a small case whose optimum is known,
and the demo's targets, every proposed day saved through the schedule's own rules."""

import datetime

import pytest

from inspections.demo import load_demo
from inspections.models import Campaign, Itinerary, Visit
from inspections.proposal import (
    Person,
    ProposalInput,
    Rules,
    Session,
    TargetSpec,
    TeamSpec,
    VehicleSpec,
    accept_trip,
    campaign_input,
    propose_for_campaign,
    propose_greedy,
    propose_trips,
    working_days,
)
from units.models import Unit
from units.services import load_divisions

DEPOT, NEAR, FAR = 1, 2, 3
MONDAY = datetime.date(2021, 12, 6)


def two_districts(**changes) -> ProposalInput:
    """Six units, three 10 km from the seat and three 30 km (25 km apart), one team of
    three, one car, two days of one session, at most four visits a day. The optimum
    is one district a day: 10+10 + 2 hops × 2 km, and 30+30 + 2 × 2 = 88 km."""
    data = {
        "targets": tuple(TargetSpec(unit, NEAR) for unit in (1, 2, 3)) + tuple(
            TargetSpec(unit, FAR) for unit in (4, 5, 6)),
        "teams": (TeamSpec(1, "Tổ 1", (Person(101, 1), Person(102, 2), Person(103, 3))),),
        "vehicles": (VehicleSpec(1, 6),),
        "days": (MONDAY, MONDAY + datetime.timedelta(days=1)),
        "depot": DEPOT,
        "distances": {(DEPOT, NEAR): 10, (DEPOT, FAR): 30, (NEAR, FAR): 25},
        "vhtt": {NEAR: Person(201, 21), FAR: Person(202, 22)},
        "sessions": (Session(datetime.time(7, 30), datetime.time(17, 0), frozenset({0})),),
        "rules": Rules(max_visits_per_day=4, hop_km=2, neighbour_km=30),
        "seed": 7,
    }
    return ProposalInput(**{**data, **changes})


def test_the_solver_finds_the_known_optimum_one_district_a_day():
    proposal = propose_trips(two_districts(), seconds=5)

    assert proposal.km == 88
    assert proposal.unscheduled == []
    assert sorted(trip.districts for trip in proposal.trips) == [(NEAR,), (FAR,)]
    assert proposal.status.startswith("OPTIMAL")


def test_the_greedy_fills_the_first_day_and_travels_more():
    proposal = propose_greedy(two_districts())

    # Day 1: the three near units and one far one (10+25+30 + 2 hops); day 2: the other two far (30+30 + 1 hop).
    assert [(trip.districts, len(trip.visits), trip.km) for trip in proposal.trips] == [
        ((NEAR, FAR), 4, 69), ((FAR,), 2, 62)]
    assert proposal.km == 131


def test_a_trip_takes_the_team_core_with_the_vhtt_member_of_its_district():
    proposal = propose_trips(two_districts(), seconds=5)

    people = {trip.districts: sorted(person.membership_id for person in trip.people) for trip in proposal.trips}
    assert people == {(NEAR,): [1, 2, 3, 21], (FAR,): [1, 2, 3, 22]}


def test_the_order_of_visits_is_seeded_not_by_name_or_number():
    first = propose_trips(two_districts(), seconds=5)
    again = propose_trips(two_districts(), seconds=5)

    orders = [[visit.unit_id for visit in trip.visits] for trip in first.trips]
    assert orders == [[visit.unit_id for visit in trip.visits] for trip in again.trips]
    assert orders != [sorted(order) for order in orders]


def test_a_car_too_small_for_the_team_and_its_vhtt_member_takes_no_trip():
    proposal = propose_trips(two_districts(vehicles=(VehicleSpec(1, 3),)), seconds=5)

    assert (proposal.trips, proposal.unscheduled) == ([], [1, 2, 3, 4, 5, 6])


def test_a_person_already_on_an_itinerary_is_not_proposed_then():
    busy = {(MONDAY, 0): frozenset({102})}
    proposal = propose_trips(two_districts(busy_people=busy), seconds=5)

    assert [trip.day for trip in proposal.trips] == [MONDAY + datetime.timedelta(days=1)]
    assert len(proposal.unscheduled) == 2


def test_working_days_are_monday_to_friday_of_the_period():
    assert working_days(datetime.date(2021, 12, 3), datetime.date(2021, 12, 7)) == (
        datetime.date(2021, 12, 3), datetime.date(2021, 12, 6), datetime.date(2021, 12, 7))


@pytest.fixture
def demo(db):
    load_divisions()
    load_demo()
    return Campaign.objects.get()


def test_every_proposed_day_of_the_demo_is_saved_by_the_schedule_rules(demo, coordinator):
    proposal = propose_for_campaign(demo, seed=2021, seconds=5)
    before = Itinerary.objects.count()

    errors = []
    for trip in proposal.trips:
        itinerary, check = accept_trip(demo, trip, by=coordinator)
        errors.extend(check.errors)
    assert errors == []
    assert Itinerary.objects.count() == before + len(proposal.trips)
    scheduled = set(Visit.objects.filter(campaign=demo).exclude(status="cancelled").values_list("unit", flat=True))
    targets = set(demo.targets.values_list("unit", flat=True))
    assert (targets - scheduled) == set(proposal.unscheduled)
    assert proposal.trips and len(proposal.unscheduled) == 0


def test_the_demo_input_leaves_out_scheduled_targets_and_keeps_busy_people(demo):
    data = campaign_input(demo, seed=1)

    scheduled = set(Visit.objects.filter(campaign=demo).values_list("unit", flat=True))
    assert {target.unit_id for target in data.targets} == set(
        demo.targets.exclude(unit__in=scheduled).values_list("unit", flat=True))
    assert len(data.teams) == 2
    # the VHTT representatives on the teams: one for each district the demo's itineraries visit
    assert set(data.vhtt) == set(Unit.objects.filter(name__in=[
        "UBND Thành phố Hà Tĩnh", "UBND Thị xã Hồng Lĩnh", "UBND Huyện Thạch Hà", "UBND Huyện Can Lộc",
        "UBND Huyện Nghi Xuân", "UBND Huyện Cẩm Xuyên"]).values_list("commune__parent", flat=True))
    assert (datetime.date(2021, 12, 7), 0) in data.busy_people


def test_one_worker_bounded_by_work_units_gives_the_same_proposal_twice(demo):
    """The clock's limit stops the search wherever the machine happens to be; the solver's own
    work units with one worker do not, which the browser journey relies on."""
    data = campaign_input(demo, seed=2021)
    first, again = (propose_trips(data, seconds=120, workers=1, deterministic=2) for _ in range(2))

    assert first.method == again.method == "cp-sat"
    assert [(t.day, t.session, t.team_id, [v.unit_id for v in t.visits]) for t in first.trips] == [
        (t.day, t.session, t.team_id, [v.unit_id for v in t.visits]) for t in again.trips]
    assert first.km == again.km
