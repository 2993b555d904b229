"""Team lists and the schedule's person and vehicle filters are scoped like the visits: an
inspector sees their own teams' people and the cars of the itineraries they may see; the
DIC sees every team and every car."""

import datetime

import pytest
from django.urls import reverse

from inspections import schedule
from inspections.models import Vehicle
from inspections.schedule import PlannedVisit
from tests.inspections.test_schedule import DAY, at, build_schedule, plan


@pytest.fixture
def world(db, campaign, coordinator):
    """Team 1 (teamlead, doctor, vhtt) travels in 38A-000.01 to the market; team 2 (other)
    in 38A-000.02 to the school; both schedules sent."""
    world = build_schedule(campaign, coordinator)
    first, _check = plan(world)
    world["second_vehicle"] = Vehicle.objects.create(plate="38A-000.02", seats=4, driver_name="Lái xe thứ hai")
    second, _check = schedule.save_itinerary(
        campaign=campaign, date=DAY, departs_at=datetime.time(7, 30), returns_at=datetime.time(11, 30),
        vehicle=world["second_vehicle"], people=[world["m"]["other"]],
        visits=[PlannedVisit(world["school"], at(8), at(9))], by=coordinator, warnings_confirmed=True)
    for itinerary in (first, second):
        schedule.send_schedule(itinerary, by=coordinator)
    return world


def team_list(client, user, campaign):
    client.force_login(user)
    response = client.get(reverse("inspections:team_list", args=[campaign.pk]))
    return response, [(team.name, [m.user.username for m in team.memberships.all()])
                      for team in response.context["teams"]]


def schedule_filters(client, user, campaign):
    client.force_login(user)
    filters = client.get(reverse("inspections:schedule", args=[campaign.pk])).context["filters"]
    return ([user.username for user in filters.fields["person"].queryset],
            [vehicle.plate for vehicle in filters.fields["vehicle"].queryset])


def test_an_inspector_sees_their_own_team_only(client, world):
    response, teams = team_list(client, world["people"]["doctor"], world["campaign"])

    assert teams == [("Tổ 1", ["teamlead", "doctor", "vhtt"])]
    assert "other" not in response.content.decode()


def test_the_inspector_of_the_other_team_sees_theirs_only(client, world):
    _response, teams = team_list(client, world["people"]["other"], world["campaign"])

    assert teams == [("Tổ 2", ["other"])]


@pytest.mark.parametrize("fixture", ["coordinator", "leadership", "office"])
def test_the_dic_sees_every_team(client, world, request, fixture):
    _response, teams = team_list(client, request.getfixturevalue(fixture), world["campaign"])

    assert teams == [("Tổ 1", ["teamlead", "doctor", "vhtt"]), ("Tổ 2", ["other"])]


def test_someone_on_no_team_of_the_campaign_gets_404(client, world):
    client.force_login(world["people"]["stranger"])

    assert client.get(reverse("inspections:team_list", args=[world["campaign"].pk])).status_code == 404


def test_the_schedule_offers_an_inspector_their_teams_people_and_their_cars(client, world):
    people, vehicles = schedule_filters(client, world["people"]["doctor"], world["campaign"])

    assert (people, vehicles) == (["doctor", "teamlead", "vhtt"], ["38A-000.01"])


def test_the_schedule_offers_the_other_team_its_own(client, world):
    assert schedule_filters(client, world["people"]["other"], world["campaign"]) == (["other"], ["38A-000.02"])


def test_the_schedule_offers_the_inspectorate_everyone_and_every_car(client, world):
    people, vehicles = schedule_filters(client, world["coordinator"], world["campaign"])

    assert (people, vehicles) == (["doctor", "other", "teamlead", "vhtt"], ["38A-000.01", "38A-000.02"])


def test_an_unsent_itinerarys_car_is_not_offered_to_its_people(client, world):
    """The car follows the itinerary's confidentiality: not before the schedule is sent."""
    third = Vehicle.objects.create(plate="38A-000.03", seats=4, driver_name="Lái xe thứ ba")
    plan(world, date=DAY + datetime.timedelta(days=1))
    world["campaign"].itineraries.filter(date=DAY + datetime.timedelta(days=1)).update(vehicle=third)

    assert schedule_filters(client, world["people"]["doctor"], world["campaign"])[1] == ["38A-000.01"]


def test_a_car_of_another_team_cannot_be_used_as_a_filter(client, world):
    client.force_login(world["people"]["doctor"])

    response = client.get(reverse("inspections:schedule", args=[world["campaign"].pk]),
                          {"vehicle": world["second_vehicle"].pk})

    assert "vehicle" in response.context["filters"].errors
