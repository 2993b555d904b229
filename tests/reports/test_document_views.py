"""Opening a visit's or an itinerary's document leaves the same trace as opening its page
(VisitViewLog), and an outsider gets 404 with nothing logged."""

import pytest
from django.urls import reverse

from inspections import schedule
from inspections.models import VisitViewLog
from inspections.schedule import PlannedVisit
from tests.inspections.test_schedule import at, build_schedule, plan

OPENED = VisitViewLog.Opened


@pytest.fixture
def world(db, campaign, coordinator):
    world = build_schedule(campaign, coordinator)
    itinerary, _check = plan(world, visits=[PlannedVisit(world["market"], at(8), at(9)),
                                            PlannedVisit(world["school"], at(9, 30), at(10, 30))])
    schedule.send_schedule(itinerary, by=coordinator)
    world["itinerary"] = itinerary
    world["visits"] = list(itinerary.visits.order_by("position"))
    return world


def logs():
    return list(VisitViewLog.objects.order_by("id").values_list("user__username", "visit__unit__name", "opened"))


@pytest.mark.parametrize(("url_name", "opened"), [("reports:visit_minutes_pdf", OPENED.MINUTES_PDF),
                                                  ("reports:visit_minutes_print", OPENED.MINUTES_PRINT)])
def test_opening_the_minutes_is_logged(client, world, url_name, opened):
    client.force_login(world["people"]["teamlead"])

    response = client.get(reverse(url_name, args=[world["visits"][0].pk]))

    assert response.status_code == 200
    assert logs() == [("teamlead", "Chợ Nghèn", opened)]


def test_opening_the_schedule_notice_logs_each_of_its_visits(client, world):
    client.force_login(world["people"]["doctor"])

    response = client.get(reverse("reports:itinerary_notice_pdf", args=[world["itinerary"].pk]))

    assert response["Content-Type"] == "application/pdf"
    assert logs() == [("doctor", "Chợ Nghèn", OPENED.NOTICE_PDF), ("doctor", "Trường THCS Nghèn", OPENED.NOTICE_PDF)]


@pytest.mark.parametrize("url_name", ["reports:visit_minutes_pdf", "reports:visit_minutes_print",
                                      "reports:itinerary_notice_pdf"])
def test_an_inspector_of_another_team_gets_404_and_no_log(client, world, url_name):
    client.force_login(world["people"]["other"])
    pk = world["itinerary"].pk if "notice" in url_name else world["visits"][0].pk

    assert client.get(reverse(url_name, args=[pk])).status_code == 404
    assert logs() == []
