"""The API answers exactly what the pages show (docs/api.md, "Scope"): every list and
detail starts from `visible_to`; out of scope is 404, a list the role may not read 403."""

import datetime

import pytest
from django.test import Client

from api.services import issue_token, revoke_token
from inspections import fieldwork, vocabulary
from inspections.models import ChecklistItem
from reports.services import create_report
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db


def ids(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["items"])


def test_an_inspector_of_team_2_reads_nothing_of_team_1_through_any_endpoint(world):
    client = api_client(world["outsider"])
    team_1_visits = [world["market"].pk, world["committee"].pk]
    team_1_units = [world["market"].unit_id, world["committee"].unit_id]

    assert ids(client, "/api/visits") == [world["school"].pk]
    assert ids(client, "/api/units") == [world["school"].unit_id]
    assert ids(client, "/api/itineraries") == [world["team_2"].pk]
    for pk in team_1_visits:
        assert client.get(f"/api/visits/{pk}").status_code == 404
    for pk in team_1_units:
        assert client.get(f"/api/units/{pk}").status_code == 404
    assert client.get(f"/api/itineraries/{world['team_1'].pk}").status_code == 404
    # Team 2's own schedule not yet sent is not revealed to team 2 either.
    assert client.get(f"/api/itineraries/{world['unsent'].pk}").status_code == 404
    assert client.get(f"/api/visits/{world['hospital'].pk}").status_code == 404
    assert client.get(f"/api/units/{world['hospital'].unit_id}").status_code == 404


def test_an_inspector_of_team_1_reads_their_sent_itinerary_with_its_visits_and_people(world):
    client = api_client(world["member"])

    itinerary = client.get(f"/api/itineraries/{world['team_1'].pk}").json()

    assert [stop["unit"] for stop in itinerary["visits"]] == ["Chợ Nghèn", "UBND Huyện Can Lộc"]
    assert [(person["name"], person["position"]["code"]) for person in itinerary["people"]] == [
        ("Leader1", "leader"), ("Member1", "member")]
    assert ids(client, "/api/visits") == sorted([world["market"].pk, world["committee"].pk])
    assert client.get(f"/api/itineraries/{world['team_2'].pk}").status_code == 404


def test_the_dic_readers_see_every_itinerary_and_visit(world):
    for name in ("coordinator", "leadership"):
        client = api_client(world[name])
        assert ids(client, "/api/itineraries") == sorted(
            [world["team_1"].pk, world["team_2"].pk, world["unsent"].pk])
        assert len(ids(client, "/api/visits")) == 4


@pytest.mark.parametrize(("path", "role", "expected"), [
    ("/api/campaigns", "outsider", 200),
    ("/api/follow-ups", "coordinator", 200),
    ("/api/follow-ups", "leadership", 200),
    ("/api/follow-ups", "member", 403),
    ("/api/follow-ups", "outsider", 403),
    ("/api/reports", "coordinator", 200),
    ("/api/reports", "leadership", 200),
    ("/api/reports", "leader", 403),
    ("/api/reports", "outsider", 403),
])
def test_the_permission_matrix(world, path, role, expected):
    assert api_client(world[role]).get(path).status_code == expected


def test_without_a_token_or_with_a_revoked_one_the_api_answers_401_not_a_login_redirect(world):
    token, raw = issue_token(user=world["member"], name="phone")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    assert client.get("/api/visits").status_code == 200

    revoke_token(token, by=world["member"])
    assert client.get("/api/visits").status_code == 401
    assert Client().get("/api/visits").json() == {"detail": "Unauthorized"}


def test_a_report_s_figures_are_its_frozen_snapshot_for_the_dic_readers_only(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # its files are not the API's
    market = fieldwork.start_visit(world["market"], by=world["member"])
    for item in vocabulary.applicable_items(market):
        fieldwork.save_answer(market, item=item, raw={"percentage": "80", "number": "3"}.get(
            item.kind, "no" if item.code == "b3" else "yes"), by=world["member"])
    fieldwork.submit_visit(market, by=world["member"], key="r")
    fieldwork.approve_visit(market, by=world["leader"])
    report = create_report(world["campaign"], as_of=datetime.date(2021, 12, 31), by=world["coordinator"])
    fieldwork.amend_answer(market, item=ChecklistItem.objects.get(code="b1"), raw="no", reason="Nhầm",
                           by=world["leader"])  # the data change; the report's figures stay as issued

    figures = api_client(world["leadership"]).get(f"/api/reports/{report.pk}").json()

    assert figures["report"]["status"] == {"code": "draft", "label": "Dự thảo"}
    assert (figures["total"], figures["units_inspected"]) == ({"count": 1, "visit_ids": [market.pk]}, 1)
    assert figures["criteria"][3] == {"criterion": {"code": "overall", "label": "Chung"},
                                      "compliant": {"count": 1, "visit_ids": [market.pk]},
                                      "partly": {"count": 0, "visit_ids": []},
                                      "noncompliant": {"count": 0, "visit_ids": []}}
    assert api_client(world["member"]).get(f"/api/reports/{report.pk}").status_code == 403
    assert api_client(world["coordinator"]).get("/api/reports/999999").status_code == 404
