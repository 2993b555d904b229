"""The coordinator's proposal, in the browser (issue #14): ask for one, move a visit to
another day, accept the first week, and send its itineraries."""

import datetime
import functools
import re
import types

import pytest

from inspections.models import Campaign, Itinerary, Visit
from inspections.proposal import propose_trips
from inspections.views import proposal as proposal_views
from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

DAY = re.compile(r"(\d\d)/(\d\d)/(\d{4})")


def day_of(text: str) -> datetime.date:
    day, month, year = DAY.search(text).groups()
    return datetime.date(int(year), int(month), int(day))


def movable_pair(page):
    """A visit, its day and another day of the same week which already visits its district and
    has an hour left before its return (the visit goes at the day's end and must fit its hours)."""
    days = []
    for card in page.locator("article.card").all():
        label = card.locator("h3 label").inner_text()
        returns = re.search(r"\d\d:\d\d–(\d\d:\d\d)", label).group(1)
        # "07:35–08:20 — Khách sạn Biển Xanh (mẫu) (Thành phố Hà Tĩnh)", then the move controls
        lines = [text.strip().split("\n")[0].strip() for text in card.locator("ol > li").all_inner_texts()]
        visits = [(line.split(" — ", 1)[1].rsplit(" (", 1)[0], line.rsplit("(", 1)[1].rstrip(")"),
                   re.match(r"\d\d:\d\d–(\d\d:\d\d)", line).group(1)) for line in lines]
        index = card.locator("input[name='accept']").get_attribute("value")
        days.append({"card": card, "day": day_of(label), "returns": returns, "visits": visits, "index": index})

    def room(day):
        hours, minutes = map(int, day["returns"].split(":"))
        end_hours, end_minutes = map(int, day["visits"][-1][2].split(":"))
        return hours * 60 + minutes - end_hours * 60 - end_minutes

    def week_of(day):
        return day["day"].isocalendar()[:2]

    return next(
        ((day, unit, other) for day in days for unit, district, _ends in day["visits"] for other in days
         if week_of(other) == week_of(day) and other["day"] != day["day"] and room(other) >= 60
         and district in {v[1] for v in other["visits"]}), None)


def test_the_coordinator_proposes_moves_a_visit_accepts_the_week_and_sends_it(demo, page, monkeypatch):
    # The page draws a new surprise order at each asking and lets the solver run for ten seconds
    # of the clock; here the order is fixed and the search bounded by the solver's own work units
    # with one worker, so the proposal is the same on any machine (the live server runs in-process).
    monkeypatch.setattr(proposal_views, "secrets", types.SimpleNamespace(randbits=lambda bits: 2021))
    monkeypatch.setattr(proposal_views, "propose_trips",
                        functools.partial(propose_trips, seconds=120, workers=1, deterministic=2))
    campaign = Campaign.objects.get()
    before = set(Itinerary.objects.values_list("pk", flat=True))
    log_in(page, demo.url, "dieuphoi")

    page.goto(f"{demo.url}/ke-hoach/{campaign.pk}/lich/de-xuat/")
    with page.expect_navigation():
        page.get_by_role("button", name="Đề xuất").click()
    page.get_by_text(re.compile(r"^Đã lập đề xuất: \d+ lịch trình")).wait_for()
    pair = movable_pair(page)
    assert pair, "the proposal has a day with room for a visit of the same district and week"
    source, moved_unit, receiving = pair
    week = source["day"].isocalendar()[:2]
    assert_accessible(page)
    first_card, index = source["card"], receiving["index"]
    move = first_card.get_by_label(f"Chuyển {moved_unit} sang")
    target = move.locator(f"option[value='{index}']").inner_text()
    move.select_option(index)
    first_card.locator("ol > li").filter(has_text=moved_unit).get_by_role("button", name="Chuyển").click()
    page.get_by_text("Đã chuyển lượt kiểm tra.").wait_for()
    assert page.get_by_text("sau giờ về").count() == 0  # the day still fits its hours
    assert_accessible(page)
    (date, time), team = target.split(" · ")[0].split(" "), target.split(" · ")[1]
    target_card = page.locator("article.card").filter(
        has=page.locator("h3 label", has_text=f"{date} · {time}").filter(has_text=team))
    assert target_card.locator("ol > li").last.inner_text().split(" — ", 1)[1].startswith(moved_unit)

    # Accept the week: the days of other weeks stay proposed.
    week_days = []
    for box in page.locator("input[name='accept']").all():
        label = page.locator(f"label[for='{box.get_attribute('id')}']").inner_text()
        if day_of(label).isocalendar()[:2] == week:
            week_days.append(day_of(label))
        else:
            box.uncheck()
    assert_accessible(page)
    page.get_by_role("button", name="Chấp nhận các ngày đã đánh dấu thành lịch trình dự thảo").click()
    page.get_by_text(re.compile(rf"^Đã tạo {len(week_days)} lịch trình dự thảo\.$")).wait_for()

    accepted = Itinerary.objects.exclude(pk__in=before).order_by("date", "departs_at")
    assert sorted(itinerary.date for itinerary in accepted) == sorted(week_days)
    assert [visit.itinerary.date for visit in Visit.objects.filter(itinerary__in=accepted, unit__name=moved_unit)
            .select_related("itinerary")] == [day_of(target)]

    # Send the week: each of its itineraries to its people.
    for itinerary in accepted:
        page.goto(f"{demo.url}/lich-trinh/{itinerary.pk}/")
        page.get_by_role("button", name="Gửi lịch kiểm tra").click()
        page.get_by_text(re.compile(r"^Đã gửi lịch kiểm tra cho \d+ người\.$")).wait_for()
    assert_accessible(page)
    assert [it.schedule_sent_at is not None for it in Itinerary.objects.filter(pk__in=accepted)] == [True] * len(
        week_days)
