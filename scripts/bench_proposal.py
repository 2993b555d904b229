"""Benchmark (not a test): the itinerary proposal, CP-SAT against the greedy baseline,
on 300 targets over Hà Tĩnh's 13 districts, 4 teams, 2 vehicles, 20 working days.

    .venv/bin/python scripts/bench_proposal.py [--targets 300] [--seconds 10] [--seed 2021]

Pure data, no database: the district table is the demo's approximate one
(inspections/demo.py: approximate_km), the targets are spread over the districts at
random (seeded), each team's core is three people (two of the DIC, one of the
Department of Health) and each district has one VHTT member. Prints, per method, the
time, the targets scheduled, the trips and the total travel.
"""

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from inspections.demo import APPROXIMATE_DISTRICT_SEATS, approximate_km  # noqa: E402
from inspections.proposal import (  # noqa: E402
    Person,
    ProposalInput,
    Rules,
    TargetSpec,
    TeamSpec,
    VehicleSpec,
    propose_greedy,
    propose_trips,
    working_days,
)

DEPOT = 436  # Thành phố Hà Tĩnh, the DIC's seat


def instance(targets: int, seed: int) -> ProposalInput:
    shuffle = random.Random(seed)
    districts = sorted(APPROXIMATE_DISTRICT_SEATS)
    distances = {(a, b): approximate_km(a, b) for a in districts for b in districts if a < b}
    teams = tuple(TeamSpec(team, f"Tổ {team}", tuple(Person(100 * team + n, 100 * team + n) for n in range(3)))
                  for team in range(1, 5))
    vhtt = {district: Person(10_000 + district, 10_000 + district) for district in districts}
    units = tuple(TargetSpec(unit, shuffle.choice(districts)) for unit in range(1, targets + 1))
    days = working_days(datetime.date(2021, 12, 1), datetime.date(2021, 12, 31))[:20]
    return ProposalInput(targets=units, teams=teams, vehicles=(VehicleSpec(1, 6), VehicleSpec(2, 4)), days=days,
                         depot=DEPOT, distances=distances, vhtt=vhtt, rules=Rules(max_visits_per_day=6), seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    data = instance(args.targets, args.seed)
    print(f"{len(data.targets)} targets, {len({t.district_id for t in data.targets})} districts, "
          f"{len(data.teams)} teams, {len(data.vehicles)} vehicles, {len(data.days)} working days")
    for name, propose in (("greedy", propose_greedy),
                          ("cp-sat", lambda d: propose_trips(d, seconds=args.seconds, workers=2))):
        proposal = propose(data)
        scheduled = len(data.targets) - len(proposal.unscheduled)
        print(f"{name:7} {proposal.seconds:6.2f} s  scheduled {scheduled:3}/{len(data.targets)}  "
              f"trips {len(proposal.trips):3}  travel {proposal.km:7.1f} km  "
              f"({proposal.km / max(scheduled, 1):.1f} km per visit)  {proposal.status}")


if __name__ == "__main__":
    main()
