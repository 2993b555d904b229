"""The itinerary proposal (plan II.2, III.1): for the targets not yet on an itinerary,
which team goes where on which day, in what order, with which vehicle, minimising travel.

The pure part takes plain data (`ProposalInput`) and returns a `Proposal`; it needs no
database, so the tests give it known cases. `propose_trips` solves with OR-Tools CP-SAT
(docs/decisions.md §19), `propose_greedy` is the simple baseline it is measured against
(docs/benchmarks.md). `campaign_input` reads a campaign into a `ProposalInput`.

A trip is one team's half-day (a session) in one district, or two neighbouring
districts, so that the visited district's VHTT member travels with the team's core (the
DIC members and the Department of Health's): plan III.1. Travel is the district-to-district
table (`DistrictDistance`, the coordinator's to edit) from the DIC's seat and back,
plus a small fixed cost from one unit to the next within a district.
"""

import datetime
import math
import random
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from ortools.sat.python import cp_model

from inspections.models import Campaign, DistrictDistance, Itinerary, Organization, TeamMembership, Vehicle, Visit
from inspections.schedule import PlannedVisit, ScheduleCheck, save_itinerary
from units.models import Division, Unit

ROUNDING_MINUTES = 5  # travel times are rounded up to five minutes, as a timetable is


@dataclass(frozen=True)
class Person:
    """One person of the schedule: `user_id` is who must not be in two places at once,
    `membership_id` the team membership the itinerary lists."""

    user_id: int
    membership_id: int


@dataclass(frozen=True)
class TeamSpec:
    id: int
    name: str
    core: tuple[Person, ...]  # everyone of the team but the districts' VHTT members


@dataclass(frozen=True)
class VehicleSpec:
    id: int
    seats: int


@dataclass(frozen=True)
class TargetSpec:
    unit_id: int
    district_id: int


def _minute(moment: datetime.time) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True)
class Session:
    """A part of a working day a trip may take: the morning, the afternoon, or the whole
    day with its lunch break (a district too far for half a day). `blocks` are the
    half-days it occupies: a person or vehicle is on one trip per block."""

    starts: datetime.time
    ends: datetime.time
    blocks: frozenset[int]
    break_starts: datetime.time | None = None
    break_ends: datetime.time | None = None

    @property
    def minutes(self) -> int:
        return _minute(self.ends) - _minute(self.starts)

    @property
    def break_minutes(self) -> int:
        return _minute(self.break_ends) - _minute(self.break_starts) if self.break_starts else 0


@dataclass(frozen=True)
class Rules:
    visit_minutes: int = 45
    hop_km: float = 3.0  # from one unit to the next inside a district
    speed_kmh: float = 40.0
    max_visits_per_day: int = 6  # per team and day: the campaign's figure
    neighbour_km: float = 25.0  # two districts this close may share a trip
    default_km: float = 40.0  # a pair missing from the table (reported in `Proposal.missing_distances`)


MORNING = Session(datetime.time(7, 30), datetime.time(11, 30), frozenset({0}))
AFTERNOON = Session(datetime.time(13, 30), datetime.time(17, 0), frozenset({1}))
WHOLE_DAY = Session(datetime.time(7, 30), datetime.time(17, 0), frozenset({0, 1}),
                    datetime.time(11, 30), datetime.time(13, 30))


@dataclass(frozen=True)
class ProposalInput:
    targets: tuple[TargetSpec, ...]
    teams: tuple[TeamSpec, ...]
    vehicles: tuple[VehicleSpec, ...]
    days: tuple[datetime.date, ...]
    depot: int  # the district the trips leave from and return to
    distances: Mapping[tuple[int, int], float]  # km between districts, either order
    vhtt: Mapping[int, Person] = field(default_factory=dict)  # district id → its VHTT member
    sessions: tuple[Session, ...] = (MORNING, AFTERNOON, WHOLE_DAY)
    rules: Rules = Rules()
    # (day, block) → user ids and vehicle ids already on an itinerary then
    busy_people: Mapping[tuple[datetime.date, int], frozenset[int]] = field(default_factory=dict)
    busy_vehicles: Mapping[tuple[datetime.date, int], frozenset[int]] = field(default_factory=dict)
    seed: int = 0  # the surprise order: the same seed gives the same order


@dataclass(frozen=True)
class ProposedVisit:
    unit_id: int
    district_id: int
    starts: datetime.time
    ends: datetime.time


@dataclass
class Trip:
    day: datetime.date
    session: int
    team_id: int
    vehicle_id: int
    people: tuple[Person, ...]
    districts: tuple[int, ...]
    visits: list[ProposedVisit]
    km: float
    departs: datetime.time
    returns: datetime.time


@dataclass
class Proposal:
    trips: list[Trip]
    unscheduled: list[int]  # unit ids no trip could take
    km: float
    method: str
    seconds: float
    status: str = ""
    missing_distances: list[tuple[int, int]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Travel and time: one function for the solver, the greedy and the timetable
# ---------------------------------------------------------------------------------------


class Travel:
    def __init__(self, data: ProposalInput):
        self.data, self.rules, self.missing = data, data.rules, set()

    def km(self, a: int, b: int) -> float:
        """Between two districts; within one district, the fixed hop."""
        if a == b:
            return self.rules.hop_km
        found = self.data.distances.get((a, b), self.data.distances.get((b, a)))
        if found is None:
            self.missing.add((min(a, b), max(a, b)))
            return self.rules.default_km
        return found

    def minutes(self, km: float) -> int:
        raw = km / self.rules.speed_kmh * 60
        return math.ceil(raw / ROUNDING_MINUTES - 1e-9) * ROUNDING_MINUTES

    def legs(self, districts: tuple[int, ...]) -> list[float]:
        stops = (self.data.depot, *districts, self.data.depot)
        return [self.km(a, b) for a, b in zip(stops, stops[1:], strict=False)]

    def trip_km(self, districts: tuple[int, ...], visits: int) -> float:
        """Out, between the districts, back; plus a hop for each further unit of a district."""
        return sum(self.legs(districts)) + self.rules.hop_km * (visits - len(districts))

    def trip_minutes(self, districts: tuple[int, ...], visits: int) -> int:
        legs = self.legs(districts)
        return (sum(self.minutes(km) for km in legs) + self.minutes(self.rules.hop_km) * (visits - len(districts))
                + self.rules.visit_minutes * visits)

    def capacity(self, districts: tuple[int, ...], session: Session) -> int:
        """The most visits such a trip fits into the session (0: not even one per district)."""
        most = 0
        # A visit does not run into the break: it may wait for its end, up to a visit's length.
        room = session.minutes - (session.break_minutes + self.rules.visit_minutes if session.break_starts else 0)
        for visits in range(len(districts), self.rules.max_visits_per_day + 1):
            if self.trip_minutes(districts, visits) <= room:
                most = visits
        return most


def _at(day_start: datetime.time, minutes: int) -> datetime.time:
    moment = datetime.datetime.combine(datetime.date(2000, 1, 1), day_start) + datetime.timedelta(minutes=minutes)
    return moment.time()


def _timetable(travel: Travel, session: Session, units: list[TargetSpec]) -> list[ProposedVisit]:
    """The visits one after another from the session's start, travel between them."""
    visits, clock, where = [], 0, travel.data.depot
    for unit in units:
        clock += travel.minutes(travel.km(where, unit.district_id))
        if session.break_starts and clock < _minute(session.break_ends) - _minute(session.starts) and (
                clock + travel.rules.visit_minutes > _minute(session.break_starts) - _minute(session.starts)):
            clock = _minute(session.break_ends) - _minute(session.starts)
        visits.append(ProposedVisit(unit.unit_id, unit.district_id, _at(session.starts, clock),
                                    _at(session.starts, clock + travel.rules.visit_minutes)))
        clock += travel.rules.visit_minutes
        where = unit.district_id
    return visits


def _patterns(travel: Travel, districts: list[int]) -> list[tuple[int, ...]]:
    """Where one trip may go: one district, or two neighbouring ones."""
    patterns = [(d,) for d in districts]
    for index, first in enumerate(districts):
        for second in districts[index + 1:]:
            if travel.km(first, second) <= travel.rules.neighbour_km:
                patterns.append((first, second))
    return patterns


def _people(data: ProposalInput, team: TeamSpec, districts: tuple[int, ...]) -> tuple[Person, ...]:
    """The team's core with the VHTT member of each visited district (plan III.1)."""
    people = {person.user_id: person for person in team.core}
    for district in districts:
        member = data.vhtt.get(district)
        if member is not None and member.user_id not in people:
            people[member.user_id] = member
    return tuple(people.values())


def _busy(table: Mapping, day: datetime.date, session: Session) -> set[int]:
    """Who (or which vehicles) are already taken on some half-day of the session."""
    return set().union(*(table.get((day, block), frozenset()) for block in session.blocks))


def _by_seats(vehicles) -> list[VehicleSpec]:
    return sorted(vehicles, key=lambda v: (v.seats, v.id))


def _surprise_queues(data: ProposalInput) -> dict[int, list[TargetSpec]]:
    """Each district's targets in a seeded random order: a unit cannot guess its turn
    from its name (plan II.2: a surprise inspection)."""
    queues = defaultdict(list)
    for target in sorted(data.targets, key=lambda t: t.unit_id):
        queues[target.district_id].append(target)
    # The seed is drawn with `secrets` by the page (the same seed gives the same order, for the tests).
    shuffle = random.Random(data.seed)  # noqa: S311
    for district in sorted(queues):
        shuffle.shuffle(queues[district])
    return queues


def _build(data: ProposalInput, travel: Travel, plan, *, method: str, started: float, status: str) -> Proposal:
    """Trips from [(day, session, team, vehicle, districts, visits per district)]."""
    queues = _surprise_queues(data)
    teams = {team.id: team for team in data.teams}
    trips = []
    for day, session, team_id, vehicle_id, districts, counts in sorted(plan, key=lambda p: (p[0], p[1], p[2])):
        units = [queues[d].pop(0) for d, count in zip(districts, counts, strict=True) for _ in range(count)]
        visits = _timetable(travel, data.sessions[session], units)
        trips.append(Trip(day=day, session=session, team_id=team_id, vehicle_id=vehicle_id,
                          people=_people(data, teams[team_id], districts), districts=districts, visits=visits,
                          km=travel.trip_km(districts, len(units)), departs=data.sessions[session].starts,
                          returns=data.sessions[session].ends))
    unscheduled = sorted(t.unit_id for queue in queues.values() for t in queue)
    return Proposal(trips=trips, unscheduled=unscheduled, km=round(sum(t.km for t in trips), 1), method=method,
                    seconds=round(time.perf_counter() - started, 2), status=status,
                    missing_distances=sorted(travel.missing))


def _slots(data: ProposalInput):
    return [(day, session) for day in data.days for session in range(len(data.sessions))]


def _assign_vehicles(data: ProposalInput, chosen) -> tuple[list, list]:
    """Give each trip of [(day, session, team, districts, counts)] a vehicle free in all its
    half-days, the smallest with enough seats, whole days and the fullest trips first.
    Returns (plan, trips left without a vehicle)."""
    teams = {team.id: team for team in data.teams}
    taken = defaultdict(set)  # (day, block) → vehicle ids
    plan, stranded = [], []

    def order(trip):
        day, session, team_id, districts, _counts = trip
        return day, -len(data.sessions[session].blocks), -len(_people(data, teams[team_id], districts)), team_id

    for day, session, team_id, districts, counts in sorted(chosen, key=order):
        blocks = data.sessions[session].blocks
        need = len(_people(data, teams[team_id], districts))
        busy = _busy(data.busy_vehicles, day, data.sessions[session]).union(
            *(taken[(day, block)] for block in blocks))
        vehicle = next((v for v in _by_seats(data.vehicles) if v.id not in busy and v.seats >= need), None)
        if vehicle is None:
            stranded.append((day, session, team_id, districts, counts))
            continue
        for block in blocks:
            taken[(day, block)].add(vehicle.id)
        plan.append((day, session, team_id, vehicle.id, districts, counts))
    return plan, stranded


# ---------------------------------------------------------------------------------------
# The greedy baseline
# ---------------------------------------------------------------------------------------


def propose_greedy(data: ProposalInput) -> Proposal:
    """Day by day, session by session (mornings, afternoons, then whole days for what
    half a day cannot reach), each free team with a free vehicle goes to the nearest
    district with targets left and fills its session; when that district runs out it
    goes on to the nearest neighbouring one. The baseline of docs/benchmarks.md."""
    started, travel = time.perf_counter(), Travel(data)
    left = defaultdict(int)
    for target in data.targets:
        left[target.district_id] += 1
    visits_of_day = defaultdict(int)  # (team, day) → visits
    people_taken, vehicles_taken = defaultdict(set), defaultdict(set)  # (day, block) → ids
    plan = []
    for day, index in _slots(data):
        session = data.sessions[index]
        for team in data.teams:
            busy = _busy(data.busy_people, day, session).union(*(people_taken[(day, b)] for b in session.blocks))
            taken = _busy(data.busy_vehicles, day, session).union(*(vehicles_taken[(day, b)] for b in session.blocks))
            vehicles = [v for v in _by_seats(data.vehicles) if v.id not in taken]
            if not vehicles or any(p.user_id in busy for p in team.core):
                continue
            room_of_day = data.rules.max_visits_per_day - visits_of_day[(team.id, day)]
            trip = _greedy_trip(data, travel, team, left, busy, vehicles[-1].seats, session, room_of_day)
            if trip is None:
                continue
            districts, counts = trip
            need = len(_people(data, team, districts))
            vehicle = next(v for v in vehicles if v.seats >= need)
            for district, count in zip(districts, counts, strict=True):
                left[district] -= count
            visits_of_day[(team.id, day)] += sum(counts)
            for block in session.blocks:
                people_taken[(day, block)].update(p.user_id for p in _people(data, team, districts))
                vehicles_taken[(day, block)].add(vehicle.id)
            plan.append((day, index, team.id, vehicle.id, districts, counts))
    return _build(data, travel, plan, method="greedy", started=started, status="")


def _greedy_trip(data, travel, team, left, busy, seats, session, room_of_day):
    def usable(district, with_districts=()):
        member = data.vhtt.get(district)
        return (left[district] > 0 and (member is None or member.user_id not in busy)
                and len(_people(data, team, (*with_districts, district))) <= seats)

    candidates = sorted((d for d in left if usable(d) and travel.capacity((d,), session) > 0),
                        key=lambda d: (travel.km(data.depot, d), d))
    if not candidates:
        return None
    first = candidates[0]
    room = min(travel.capacity((first,), session), room_of_day)
    if room <= 0:
        return None
    count = min(left[first], room)
    if count < room:
        nearby = sorted((d for d in left if d != first and usable(d, (first,))
                         and travel.km(first, d) <= data.rules.neighbour_km), key=lambda d: (travel.km(first, d), d))
        for second in nearby:
            room = min(travel.capacity((first, second), session), room_of_day)
            if room > count:
                return (first, second), (count, min(left[second], room - count))
    return (first,), (count,)


# ---------------------------------------------------------------------------------------
# The solver: CP-SAT over trips (docs/decisions.md §19)
# ---------------------------------------------------------------------------------------


def propose_trips(data: ProposalInput, *, seconds: float = 10.0, workers: int = 2,
                  deterministic: float | None = None) -> Proposal:
    """Choose the trips with CP-SAT: cover as many targets as the days allow, then
    travel as little as possible, under every rule of `check_itinerary` that blocks
    (people and vehicles once at a time, seats, hours, the period) and the daily
    maximum of visits. Starts from the greedy proposal (a hint), so it is no worse.

    Variables: trip[team, day, session, districts] (a boolean) and visits[…, district]
    (an integer, at least 1 if the trip is made, else 0). Constraints, per half-day: a
    person (each team's core, each district's VHTT member) on at most one trip, and the
    trips needing at least k seats no more than the free vehicles with at least k seats;
    per team and day, at most the daily maximum of visits; a trip's visits fit its
    session's hours; per district, no more visits than targets. Objective: 10,000 per
    target left out plus ten times the kilometres (a trip's legs and its hops).

    `deterministic` bounds the search by the solver's own work units instead of the clock
    (with one worker and one seed the same input then gives the same proposal on any machine,
    for the tests); `seconds` stays the clock's limit.
    """
    started, travel = time.perf_counter(), Travel(data)
    baseline = propose_greedy(data)
    left = defaultdict(int)
    for target in data.targets:
        left[target.district_id] += 1
    districts = sorted(left)
    if not districts or not data.teams or not data.vehicles:
        return _build(data, travel, [], method="cp-sat", started=started, status="EMPTY")
    patterns = _patterns(travel, districts)
    model = cp_model.CpModel()
    trips, visits = {}, {}
    person_trips, seat_trips, team_day_visits = defaultdict(list), defaultdict(list), defaultdict(list)
    district_visits, cost = defaultdict(list), []
    hop = round(10 * data.rules.hop_km)
    for day, index in _slots(data):
        session = data.sessions[index]
        busy = _busy(data.busy_people, day, session)
        free = [v.seats for v in data.vehicles if v.id not in _busy(data.busy_vehicles, day, session)]
        for team in data.teams:
            if not free or any(p.user_id in busy for p in team.core):
                continue
            for pattern in patterns:
                people = _people(data, team, pattern)
                capacity = min(travel.capacity(pattern, session), sum(left[d] for d in pattern))
                if capacity < len(pattern) or len(people) > max(free) or any(p.user_id in busy for p in people):
                    continue
                key = (team.id, day, index, pattern)
                made = trips[key] = model.new_bool_var(f"trip{len(trips)}")
                counts = []
                for district in pattern:
                    count = model.new_int_var(0, min(capacity, left[district]), f"visits{len(visits)}")
                    visits[(*key, district)] = count
                    model.add(count >= 1).only_enforce_if(made)
                    model.add(count == 0).only_enforce_if(~made)
                    counts.append(count)
                    district_visits[district].append(count)
                model.add(sum(counts) <= capacity)
                for block in session.blocks:
                    for person in people:
                        person_trips[(day, block, person.user_id)].append(made)
                    seat_trips[(day, block)].append((len(people), made))
                team_day_visits[(team.id, day)].extend(counts)
                cost.append(round(10 * (sum(travel.legs(pattern)) - data.rules.hop_km * len(pattern))) * made)
                cost.extend(hop * count for count in counts)
    for (day, block), needs in seat_trips.items():
        taken = data.busy_vehicles.get((day, block), frozenset())
        for seats_needed in sorted({need for need, _ in needs}):
            model.add(sum(made for need, made in needs if need >= seats_needed)
                      <= sum(1 for v in data.vehicles if v.id not in taken and v.seats >= seats_needed))
    for chosen in person_trips.values():
        model.add_at_most_one(chosen)
    for counts in team_day_visits.values():
        model.add(sum(counts) <= data.rules.max_visits_per_day)
    left_out = []
    for district in districts:
        model.add(sum(district_visits[district]) <= left[district])
        left_out.append(left[district] - sum(district_visits[district]))
    model.minimize(10_000 * sum(left_out) + sum(cost))
    _hint(model, trips, visits, baseline)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = data.seed % 2**31
    if deterministic is not None:
        solver.parameters.max_deterministic_time = deterministic
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        baseline.status = f"greedy: the solver found {solver.status_name(status)}"
        return baseline
    chosen = [(day, index, team_id, pattern, tuple(solver.value(visits[(team_id, day, index, pattern, d)])
                                                  for d in pattern))
              for (team_id, day, index, pattern), made in trips.items() if solver.value(made)]
    plan, stranded = _assign_vehicles(data, chosen)
    status_name = (f"{solver.status_name(status)}, objective {solver.objective_value:.0f}, "
                   f"bound {solver.best_objective_bound:.0f}"
                   + (f", {len(stranded)} trips without a vehicle" if stranded else ""))
    proposal = _build(data, travel, plan, method="cp-sat", started=started, status=status_name)
    if (len(proposal.unscheduled), proposal.km) > (len(baseline.unscheduled), baseline.km):
        baseline.status = f"greedy: better than the solver's {status_name}"
        return baseline
    return proposal


def _hint(model, trips, visits, baseline: Proposal) -> None:
    """The greedy's trips as the solver's first solution."""
    chosen = {}
    for trip in baseline.trips:
        counts = defaultdict(int)
        for visit in trip.visits:
            counts[visit.district_id] += 1
        chosen[(trip.team_id, trip.day, trip.session, trip.districts)] = counts
    for key, made in trips.items():
        counts = chosen.get(key)
        model.add_hint(made, counts is not None)
        for district in key[3]:
            model.add_hint(visits[(*key, district)], counts[district] if counts else 0)


def working_days(starts_on: datetime.date, ends_on: datetime.date) -> tuple[datetime.date, ...]:
    """Monday to Friday within the period."""
    days, day = [], starts_on
    while day <= ends_on:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return tuple(days)


# ---------------------------------------------------------------------------------------
# The coordinator's changes, and the proposal kept between requests (the session)
# ---------------------------------------------------------------------------------------


def move_visit(data: ProposalInput, trips: list[Trip], *, unit_id: int, to: int) -> list[Trip]:
    """The trips with the unit's visit moved to the end of trip `to`: both timetables
    again, the receiving trip's districts and people (the VHTT member of a new district
    joins). A trip left empty is dropped. Hours and seats are not checked here: the
    schedule's rules check the itinerary when it is accepted."""
    travel, teams = Travel(data), {team.id: team for team in data.teams}
    source = next(index for index, trip in enumerate(trips) if any(v.unit_id == unit_id for v in trip.visits))
    if source == to:
        return trips
    moved = next(v for v in trips[source].visits if v.unit_id == unit_id)
    changed = list(trips)
    for index, kept in ((source, [v for v in trips[source].visits if v.unit_id != unit_id]),
                        (to, [*trips[to].visits, moved])):
        trip = trips[index]
        districts = tuple(dict.fromkeys(v.district_id for v in kept))
        units = [TargetSpec(v.unit_id, v.district_id) for v in kept]
        changed[index] = Trip(day=trip.day, session=trip.session, team_id=trip.team_id, vehicle_id=trip.vehicle_id,
                              people=_people(data, teams[trip.team_id], districts), districts=districts,
                              visits=_timetable(travel, data.sessions[trip.session], units),
                              km=travel.trip_km(districts, len(units)) if units else 0,
                              departs=trip.departs, returns=trip.returns)
    return [trip for trip in changed if trip.visits]


def trip_as_data(trip: Trip) -> dict:
    """A trip as JSON-ready data (the proposal waits in the coordinator's session)."""
    return {"day": trip.day.isoformat(), "session": trip.session, "team": trip.team_id, "vehicle": trip.vehicle_id,
            "people": [[p.user_id, p.membership_id] for p in trip.people], "districts": list(trip.districts),
            "visits": [[v.unit_id, v.district_id, v.starts.isoformat(), v.ends.isoformat()] for v in trip.visits],
            "km": trip.km, "departs": trip.departs.isoformat(), "returns": trip.returns.isoformat()}


def trip_from_data(data: dict) -> Trip:
    return Trip(day=datetime.date.fromisoformat(data["day"]), session=data["session"], team_id=data["team"],
                vehicle_id=data["vehicle"], people=tuple(Person(*p) for p in data["people"]),
                districts=tuple(data["districts"]),
                visits=[ProposedVisit(unit, district, datetime.time.fromisoformat(starts),
                                      datetime.time.fromisoformat(ends))
                        for unit, district, starts, ends in data["visits"]],
                km=data["km"], departs=datetime.time.fromisoformat(data["departs"]),
                returns=datetime.time.fromisoformat(data["returns"]))


def campaign_input(campaign: Campaign, *, seed: int, first_day: datetime.date | None = None) -> ProposalInput:
    """The campaign as plain data: its targets not on an itinerary yet (a cancelled
    visit does not count), its teams (the core: every member but the VHTT ones), the
    VHTT member of each district (the first named, whichever team), the vehicles in
    service, the working days of the period from `first_day`, the people and vehicles
    already on an itinerary (of any campaign) on those days, the district table."""
    scheduled = Visit.objects.filter(campaign=campaign, itinerary__isnull=False).exclude(
        status=Visit.Status.CANCELLED).values("unit")
    targets = tuple(TargetSpec(unit_id, district_id) for unit_id, district_id in campaign.targets.filter(
        unit__is_active=True).exclude(unit__in=scheduled).values_list("unit_id", "unit__commune__parent_id"))
    cores, vhtt = defaultdict(list), {}
    names = {}
    for membership in TeamMembership.objects.filter(team__campaign=campaign).select_related(
            "organization", "team").order_by("team__name", "id"):
        person = Person(membership.user_id, membership.pk)
        names[membership.team_id] = membership.team.name
        if membership.organization.kind == Organization.Kind.DISTRICT_VHTT:
            vhtt.setdefault(membership.organization.district_id, person)
        else:
            cores[membership.team_id].append(person)
    teams = tuple(TeamSpec(team_id, names[team_id], tuple(core)) for team_id, core in cores.items())
    days = working_days(max(campaign.starts_on, first_day or campaign.starts_on), campaign.ends_on)
    data = ProposalInput(
        targets=targets, teams=teams, days=days,
        vehicles=tuple(VehicleSpec(pk, seats) for pk, seats in Vehicle.objects.filter(
            is_active=True).order_by("plate").values_list("pk", "seats")),
        depot=Division.objects.get(level=Division.Level.DISTRICT, code=settings.SCHEDULE_DEPOT_DISTRICT_CODE).pk,
        distances={(a, b): float(km) for a, b, km in DistrictDistance.objects.values_list(
            "origin_id", "destination_id", "km")},
        vhtt=vhtt, rules=Rules(max_visits_per_day=campaign.max_visits_per_day), seed=seed)
    busy_people, busy_vehicles = defaultdict(set), defaultdict(set)
    for itinerary in Itinerary.objects.filter(date__in=days).prefetch_related("people"):
        for block, session in ((0, MORNING), (1, AFTERNOON)):
            if itinerary.departs_at < session.ends and itinerary.returns_at > session.starts:
                busy_people[(itinerary.date, block)].update(m.user_id for m in itinerary.people.all())
                if itinerary.vehicle_id:
                    busy_vehicles[(itinerary.date, block)].add(itinerary.vehicle_id)
    return ProposalInput(**{**data.__dict__, "busy_people": {k: frozenset(v) for k, v in busy_people.items()},
                            "busy_vehicles": {k: frozenset(v) for k, v in busy_vehicles.items()}})


def propose_for_campaign(campaign: Campaign, *, seed: int, first_day: datetime.date | None = None,
                         seconds: float = 10.0) -> Proposal:
    """The proposal for the campaign's targets not yet scheduled (reads only)."""
    return propose_trips(campaign_input(campaign, seed=seed, first_day=first_day), seconds=seconds)


@transaction.atomic
def accept_trip(campaign: Campaign, trip: Trip, *, by) -> tuple[Itinerary | None, ScheduleCheck]:
    """Make one proposed trip an ordinary draft itinerary through `schedule.save_itinerary`,
    so the same rules check it; the coordinator's acceptance confirms its warnings.
    Side effects: those of `save_itinerary` (the itinerary, its people, its visits)."""
    tz = timezone.get_current_timezone()
    units = Unit.objects.in_bulk([visit.unit_id for visit in trip.visits])
    visits = [PlannedVisit(units[visit.unit_id], datetime.datetime.combine(trip.day, visit.starts, tzinfo=tz),
                           datetime.datetime.combine(trip.day, visit.ends, tzinfo=tz)) for visit in trip.visits]
    people = TeamMembership.objects.filter(pk__in=[person.membership_id for person in trip.people])
    vehicle = Vehicle.objects.filter(pk=trip.vehicle_id).first()
    return save_itinerary(campaign=campaign, date=trip.day, departs_at=trip.departs, returns_at=trip.returns,
                          vehicle=vehicle, people=people, visits=visits, by=by, warnings_confirmed=True)
