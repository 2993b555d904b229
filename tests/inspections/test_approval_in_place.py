"""The coordinator approving a visit in place of its team leader is recorded as such
(issue #14, point 6; plan III.1): in the visit's history, on its page and in its minutes."""

import pytest
from django.urls import reverse
from django.utils import translation

from inspections import fieldwork
from inspections.permissions import approved_in_place_of_leader
from reports.documents import minutes_context
from tests.inspections.test_fieldwork import answer_all, build


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="k")
    world["visit"] = visit
    return world


def approval_reasons(visit):
    return [reason for _when, _who, what, _old, new, reason in fieldwork.visit_history(visit) if new == "Đã duyệt"]


def test_the_coordinator_approving_in_place_of_the_leader_says_so_in_history_and_minutes(world):
    visit = world["visit"]

    with translation.override("vi"):
        fieldwork.approve_visit(visit, by=world["coordinator"])
        visit.refresh_from_db()
        reasons = approval_reasons(visit)

    assert approved_in_place_of_leader(visit) is True
    assert reasons == ["Cán bộ Thanh tra Sở (điều phối) duyệt thay Tổ trưởng."]
    line = minutes_context(visit)["approved_in_place"]
    assert line.startswith("Biên bản do Coordinator, cán bộ Thanh tra Sở, duyệt thay Trưởng đoàn kiểm tra ngày ")


def test_the_leader_approving_is_not_an_approval_in_place(world):
    visit = world["visit"]

    with translation.override("vi"):
        fieldwork.approve_visit(visit, by=world["leader"])
        visit.refresh_from_db()
        reasons = approval_reasons(visit)

    assert approved_in_place_of_leader(visit) is False
    assert reasons == [""]
    assert minutes_context(visit)["approved_in_place"] == ""


def test_the_visit_page_and_the_printed_minutes_show_it(client, world):
    visit = world["visit"]
    client.force_login(world["coordinator"])

    client.post(reverse("inspections:visit_review", args=[visit.pk]), {"decision": "approve"})

    page = client.get(reverse("inspections:visit_detail", args=[visit.pk])).content.decode()
    assert "(Cán bộ Thanh tra Sở (điều phối) duyệt thay Tổ trưởng.)" in page
    minutes = client.get(reverse("reports:visit_minutes_print", args=[visit.pk])).content.decode()
    assert "Biên bản do Coordinator, cán bộ Thanh tra Sở, duyệt thay Trưởng đoàn kiểm tra ngày " in minutes
