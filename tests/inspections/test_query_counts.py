"""Every list and detail page of the campaign work runs the same number of queries for
1 item as for 3 (STYLE: query counts on every list, always the `with` form)."""

import datetime

import pytest
from django.urls import reverse

from inspections import fieldtools, fieldwork, schedule, vocabulary
from inspections.evidence import add_evidence
from inspections.models import ChecklistItem, Target, Vehicle
from inspections.schedule import PlannedVisit
from tests.factories import make_organization, make_team, make_unit, make_user
from tests.inspections.test_evidence import photo
from tests.inspections.test_fieldtools import drawing
from tests.inspections.test_fieldwork import build
from tests.inspections.test_schedule import at, build_schedule, plan

COUNTS = [1, 3]
RAW_ANSWER = {"yes_no": "yes", "percentage": "80", "number": "12"}


@pytest.fixture
def fieldwork_world(db, coordinator):
    return build(coordinator)


@pytest.fixture
def schedule_world(db, campaign, coordinator):
    return build_schedule(campaign, coordinator)


@pytest.mark.parametrize("count", COUNTS)
def test_the_visit_page_on_the_phone_runs_a_fixed_number_of_queries(client, fieldwork_world, count,
                                                                   django_assert_num_queries):
    member = fieldwork_world["member"]
    visit = fieldwork.start_visit(fieldwork_world["market"], by=member)
    items = [item for item in vocabulary.applicable_items(visit) if item.kind != ChecklistItem.Kind.PHOTO][:count]
    for item in items:
        fieldwork.save_answer(visit, item=item, raw=RAW_ANSWER.get(item.kind, "ghi chú"), by=member)
    asked = items[0]  # the question the photos answer
    for number in range(count):
        add_evidence(visit, uploaded_file=photo(400, 300, name=f"anh-{number}.jpg"), item=asked, by=member)
        fieldwork.require_correction(visit, description=f"Sửa lỗi số {number}", deadline=datetime.date(2021, 12, 15),
                                     by=member)
        fieldtools.record_qr_scan(visit, code=f"HT18406-000{number}", method="typed", by=member)
    fieldtools.save_signature(visit, role="team_leader", signer_name="Nguyễn Văn Hùng", image_file=drawing(), by=member)
    client.force_login(member)

    # session, user with their groups, the visit (unit, commune, district, category, itinerary, campaign), the view log
    # written, the itinerary's people with their users (is the member on it, who leads it: the default signer's
    # name), and one query for the answers, the photos, the corrections, the signatures and the QR codes read
    # (config/together.py). Not the items that apply, nor the photos' questions: the published checklist's,
    # read by the answers saved above, come from the process's cache (vocabulary.applicable_item_list;
    # tests/inspections/test_applicable_items_cache.py)
    with django_assert_num_queries(6):
        response = client.get(reverse("inspections:visit_detail", args=[visit.pk]))
    page = response.content.decode()
    assert response.context["answered"] == count
    assert [f"anh-{n}.jpg" in page for n in range(count)] == [True] * count
    assert page.count(f'alt="{asked.code}: anh-') == count  # each photo with its question
    assert [f"Sửa lỗi số {n}" in page for n in range(count)] == [True] * count


@pytest.mark.parametrize("count", COUNTS)
def test_the_itinerary_page_runs_a_fixed_number_of_queries(client, schedule_world, count,
                                                           django_assert_num_queries):
    units = [schedule_world["market"], schedule_world["school"], make_unit("Chợ Vĩnh Lộc", commune=18406)][:count]
    itinerary, _check = plan(schedule_world, visits=[PlannedVisit(unit, at(8 + hour), at(8 + hour, 50))
                                                     for hour, unit in enumerate(units)])
    schedule.send_schedule(itinerary, by=schedule_world["coordinator"])
    client.force_login(schedule_world["coordinator"])

    # session, user with their groups, the itinerary (campaign, vehicle, confirmed by), its visits (units, communes,
    # districts), the in-app notice marked read, the view logs written (one insert), the people (users, bodies),
    # the notices sent (recipients, senders)
    with django_assert_num_queries(8):
        response = client.get(reverse("inspections:itinerary_detail", args=[itinerary.pk]))
    assert [visit.unit.name for visit in response.context["visits"]] == [unit.name for unit in units]
    assert [unit.name in response.content.decode() for unit in units] == [True] * count


@pytest.mark.parametrize("count", COUNTS)
def test_the_target_list_runs_a_fixed_number_of_queries(client, campaign, coordinator, divisions, count,
                                                        django_assert_num_queries):
    names = [f"Chợ số {number}" for number in range(count)]
    for name in names:
        Target.objects.create(campaign=campaign, unit=make_unit(name), added_by=coordinator)
    client.force_login(coordinator)

    # session, user with their groups, the campaign, count, the page of targets (units, communes, districts, categories,
    # draws), the last draws
    with django_assert_num_queries(6):
        response = client.get(reverse("inspections:target_list", args=[campaign.pk]))
    assert [target.unit.name for target in response.context["page"]] == names
    assert [name in response.content.decode() for name in names] == [True] * count


@pytest.mark.parametrize("count", COUNTS)
def test_the_team_list_runs_a_fixed_number_of_queries(client, campaign, coordinator, count,
                                                      django_assert_num_queries):
    body = make_organization()
    names = [f"Tổ {number}" for number in range(1, count + 1)]
    for number, name in enumerate(names):
        make_team(campaign, name, [(make_user(f"member{number}", first_name=f"Thành viên {number}"), "member", body)])
    client.force_login(coordinator)

    # session, user with their groups, the campaign, the teams, their memberships, their users, their bodies
    with django_assert_num_queries(7):
        response = client.get(reverse("inspections:team_list", args=[campaign.pk]))
    page = response.content.decode()
    assert [team.name for team in response.context["teams"]] == names
    assert [f"Thành viên {n}" in page for n in range(count)] == [True] * count


@pytest.mark.parametrize("count", COUNTS)
def test_the_vehicle_list_runs_a_fixed_number_of_queries(client, coordinator, count, django_assert_num_queries):
    plates = [f"38A-000.0{number}" for number in range(count)]
    for plate in plates:
        Vehicle.objects.create(plate=plate, seats=4, driver_name="Lái xe mẫu")
    client.force_login(coordinator)

    # session, user with their groups, the vehicles
    with django_assert_num_queries(3):
        response = client.get(reverse("inspections:vehicle_list"))
    assert [plate in response.content.decode() for plate in plates] == [True] * count
