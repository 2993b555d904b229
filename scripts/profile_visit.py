"""The inspector's visit page, timed and profiled in-process (issue #16, "Serving").

    .venv/bin/python -m config.localdb -- .venv/bin/python scripts/profile_visit.py [--requests 50] [--profile]
        [--page visit|answer|sheet] [--cold] [--queries]

Prepares the database as `make run` does (migrate, divisions, `load_demo()`, the static
files; all idempotent) and opens, as the team member, the demo's
started visit of the 2021 checklist ("Chợ Thị trấn Nghèn", in progress, with answers)
through Django's test client, settings as production has them (DEBUG off, as `make run`
serves). One request first, untimed (a server answers many; the first one of a process
loads templates and code), then N timed ones. Prints

    visit-page: requests=N median_ms=… p95_ms=… min_ms=… cpu_median_ms=… queries=Q sql_ms=… bytes=B

(times are wall-clock per request, cpu_median_ms this process's CPU per request, without
PostgreSQL's; on a shared machine the wall-clock times follow its load, `cat /proc/loadavg`), then

    machine: a fixed loop took … ms of CPU before, … ms after

(scripts/calibrate.py: the same work costs more CPU when the machine's cores are slower or shared).

--page answer times instead the phone's answer save on the same visit (`POST /api/visits/ID/answers`,
JSON, a new Idempotency-Key and X-Visit-Status each time, a yes/no question answered yes and no in
turn, so that every request writes the answer and its history row, as `make load` does); --page
sheet the visit's route sheet (the itinerary page). Their lines begin `answer-post:`, `route-sheet:`.

--cold empties the process's cache before each request: every fragment of the page drawn again
(a page whose answers all changed since this process last drew it). With --queries the request's
queries (their first 400 characters) and times, and with --profile the 30 functions with the most
cumulative time under cProfile.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from calibrate import loop_ms  # noqa: E402 (scripts/, beside this file)

VISIT_UNIT = "Chợ Thị trấn Nghèn"  # inspections/demo.py FIELD_WORK: left in progress, with answers


def production_environment() -> None:
    """The settings `make run` serves with (config/serve.py), before Django loads them."""
    from config.serve import demo_environment

    os.environ.update(demo_environment())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def demo_visit():
    from config.serve import prepare
    from inspections.demo import sample_key
    from inspections.models import TeamMembership, Visit

    prepare()  # what `make run` does first: migrate, divisions, demo, static files (all idempotent)
    visit = Visit.objects.select_related("itinerary").get(unit__sample_key=sample_key(VISIT_UNIT),
                                                         unit__is_sample=True)
    assert visit.status == Visit.Status.IN_PROGRESS, visit.status
    member = visit.itinerary.people.exclude(position=TeamMembership.Position.LEADER).order_by("id").first().user
    return visit, member


LABELS = {"visit": "visit-page", "answer": "answer-post", "sheet": "route-sheet"}


def page_request(page: str, client, visit):
    """The request --page times, as a function of no arguments answering the response."""
    import itertools
    import json
    import uuid

    from django.urls import reverse

    from inspections import vocabulary
    from inspections.models import ChecklistItem

    if page == "visit":
        url = reverse("inspections:visit_detail", args=[visit.pk])
        return lambda: client.get(url)
    if page == "sheet":
        url = reverse("inspections:itinerary_detail", args=[visit.itinerary_id])
        return lambda: client.get(url)
    item = vocabulary.applicable_items(visit).filter(kind=ChecklistItem.Kind.YES_NO).first()
    values = itertools.cycle(("yes", "no"))
    url = f"/api/visits/{visit.pk}/answers"
    return lambda: client.post(url, json.dumps({"item_id": item.pk, "value": next(values), "note": ""}),
                               content_type="application/json", headers={
                                   "Idempotency-Key": uuid.uuid4().hex, "X-Visit-Status": visit.status})


def area(filename: str, function: str) -> str:
    """The package (or the project's module) a profiled function belongs to."""
    if "site-packages/" in filename:
        parts = filename.split("site-packages/")[1].split("/")
        return "/".join(parts[:2]) if parts[0] == "django" else parts[0]
    if filename.startswith(str(BASE_DIR)):
        return filename[len(str(BASE_DIR)) + 1:]
    return function if filename == "~" else filename.rsplit("/", 1)[-1]


def cold(send):
    """The same request with every cached fragment dropped first: drawn again each time."""
    from django.core.cache import cache

    def send_cold():
        cache.clear()
        return send()

    return send_cold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--page", choices=("visit", "answer", "sheet"), default="visit")
    parser.add_argument("--queries", action="store_true", help="print the request's queries and their times")
    parser.add_argument("--cold", action="store_true",
                        help="empty the process's cache before each request (every fragment drawn again)")
    args = parser.parse_args()

    production_environment()
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    visit, member = demo_visit()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(member)
    url = reverse("inspections:visit_detail", args=[visit.pk])
    response = client.get(url)  # warm-up: templates compiled, code loaded
    assert response.status_code == 200, response.status_code
    assert b'data-can-fill="1"' in response.content and b' checked>' in response.content  # started, answered
    send = page_request(args.page, client, visit)
    send()  # its own warm-up
    if args.cold:
        send = cold(send)

    before_ms = loop_ms()
    timings, cpu = [], []
    for _ in range(args.requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = send()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as queries:
        reset_queries()
        response = send()
    sql_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    print(f"{LABELS[args.page]}: requests={len(timings)} median_ms={statistics.median(timings):.1f} p95_ms={p95:.1f} "
          f"min_ms={timings[0]:.1f} cpu_median_ms={statistics.median(cpu):.1f} "
          f"queries={len(queries.captured_queries)} sql_ms={sql_ms:.1f} "
          f"bytes={len(response.content)}")
    print(f"machine: a fixed loop took {before_ms:.0f} ms of CPU before, {loop_ms():.0f} ms after "
          "(scripts/calibrate.py)")
    if args.queries:
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:5.1f} ms  {query['sql'][:400]}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            send()
        profiler.disable()
        stats = pstats.Stats(profiler)
        by_area: dict[str, float] = {}
        for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
            by_area[area(filename, function)] = by_area.get(area(filename, function), 0.0) + tottime
        print("own time by area, ms per request (under cProfile):")
        for name, seconds in sorted(by_area.items(), key=lambda pair: -pair[1])[:15]:
            print(f"  {name:40} {seconds / 20 * 1000:6.1f}")
        stats.sort_stats("cumulative").print_stats(40)
        stats.print_stats(str(BASE_DIR) + "/(?!.venv)", 30)
        stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
