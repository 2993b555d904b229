"""Campaigns in the product (issue #15.1): the list, a plan or a copy, closing, the switcher."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from inspections import campaigns, nominations, schedule, targets
from inspections.checklist_2021 import seed_checklist_2021
from inspections.models import Campaign, ChecklistItem, ChecklistSection, ChecklistTemplate, Target, Team
from tests.factories import make_campaign, make_organization, make_unit, make_visit

PLAN = {
    "number": "1234/KH-STTTT", "title": "Kiểm tra việc triển khai PC-Covid năm 2022",
    "legal_basis": "Văn bản của UBND tỉnh về tăng cường sử dụng PC-Covid", "legal_basis_number": "100/UBND-VX",
    "legal_basis_date": "05/01/2022", "issuing_body": "Sở Thông tin và Truyền thông tỉnh Hà Tĩnh",
    "signer": "Giám đốc Sở", "starts_on": "01/02/2022", "ends_on": "28/02/2022", "form": "surprise",
    "nomination_deadline": "25/01/2022", "max_visits_per_day": "6",
}


@pytest.fixture
def checklist(db):
    return seed_checklist_2021()


@pytest.fixture
def health(db):
    return make_organization("Sở Y tế tỉnh Hà Tĩnh", kind="health")


def test_a_coordinator_creates_a_campaign_from_its_plan(client, coordinator, checklist, health):
    client.force_login(coordinator)
    response = client.post(reverse("inspections:campaign_create"),
                           {**PLAN, "checklist": checklist.pk, "nominating_bodies": [health.pk]})

    campaign = Campaign.objects.get(number="1234/KH-STTTT")
    assert response.url == reverse("inspections:campaign_detail", args=[campaign.pk])
    assert (campaign.status, campaign.starts_on, campaign.legal_basis_number, campaign.legal_basis_date) == (
        Campaign.Status.DRAFT, datetime.date(2022, 2, 1), "100/UBND-VX", datetime.date(2022, 1, 5))
    assert list(campaign.nominating_bodies.all()) == [health]
    assert list(nominations.bodies_to_nominate(campaign)) == [health]
    assert campaign.history.get().history_user == coordinator
    assert client.session[campaigns.SESSION_KEY] == campaign.pk  # the new campaign is the one worked on


def test_a_plan_with_bad_dates_is_refused_in_vietnamese_and_nothing_is_written(client, coordinator, checklist):
    client.force_login(coordinator)
    response = client.post(reverse("inspections:campaign_create"),
                           {**PLAN, "ends_on": "01/01/2022", "checklist": checklist.pk})

    assert response.status_code == 200
    assert "Ngày kết thúc thời gian kiểm tra không được trước ngày bắt đầu." in response.content.decode()
    assert response.context["form"]["title"].value() == PLAN["title"]  # nothing typed is lost
    assert Campaign.objects.count() == 0


def test_an_unpublished_checklist_cannot_be_given_to_a_campaign(coordinator):
    draft = ChecklistTemplate.objects.create(name="Nháp")
    with pytest.raises(ValidationError):
        campaigns.create_campaign(plan={"title": "x", "legal_basis": "y", "issuing_body": "z",
                                        "starts_on": datetime.date(2022, 1, 1), "ends_on": datetime.date(2022, 1, 2),
                                        "checklist": draft}, nominating_bodies=[], by=coordinator)
    assert Campaign.objects.count() == 0


def test_a_copy_carries_the_bodies_teams_and_checklist_but_not_dates_targets_or_visits(
        client, coordinator, campaign, teams, checklist, health, divisions):
    campaign.checklist = checklist
    campaign.save()
    campaign.nominating_bodies.set([health])
    unit = make_unit()
    Target.objects.create(campaign=campaign, unit=unit, added_by=coordinator)
    make_visit(campaign, unit, day=datetime.date(2021, 12, 5), conclusion={})
    client.force_login(coordinator)

    form_page = client.get(reverse("inspections:campaign_create"), {"copy": campaign.pk})
    initial = form_page.context["form"].initial
    assert (initial["title"], initial["checklist"], initial["nominating_bodies"]) == (
        campaign.title, checklist, [health])
    assert "starts_on" not in initial
    response = client.post(reverse("inspections:campaign_create") + f"?copy={campaign.pk}",
                           {**PLAN, "checklist": checklist.pk, "nominating_bodies": [health.pk]})

    copy = Campaign.objects.get(number="1234/KH-STTTT")
    assert response.url == reverse("inspections:campaign_detail", args=[copy.pk])
    assert copy.copied_from == campaign
    assert [(t.name, sorted((m.user.username, m.position) for m in t.memberships.all()))
            for t in Team.objects.filter(campaign=copy).order_by("name")] == [
        ("Tổ 1", [("inspector", "member"), ("teamleader", "leader")]), ("Tổ 2", [("otherinspector", "member")])]
    assert (copy.targets.count(), copy.visits.count(), copy.itineraries.count()) == (0, 0, 0)
    assert (campaign.targets.count(), Team.objects.filter(campaign=campaign).count()) == (1, 2)


def test_a_closed_campaign_is_read_only_in_the_services(coordinator, campaign, teams, divisions):
    assert campaigns.close_campaign(campaign, by=coordinator) is True
    assert campaigns.close_campaign(campaign, by=coordinator) is False
    campaign.refresh_from_db()
    assert (campaign.status, campaign.closed_by) == (Campaign.Status.CLOSED, coordinator)
    unit = make_unit()
    with pytest.raises(ValidationError, match="đã đóng"):
        targets.add_targets(campaign=campaign, units=type(unit).objects.all(), by=coordinator)
    with pytest.raises(ValidationError, match="đã đóng"):
        nominations.record_nomination(campaign=campaign, organization=make_organization("Sở Y tế tỉnh", kind="health"),
                                      letter_number="1", letter_date=None, received_on=datetime.date(2021, 11, 20),
                                      nominees=[], by=coordinator)
    with pytest.raises(ValidationError, match="đã đóng"):
        schedule.save_itinerary(campaign=campaign, date=datetime.date(2021, 12, 6), departs_at=datetime.time(7),
                                returns_at=datetime.time(11), vehicle=None, people=[], visits=[], by=coordinator)
    with pytest.raises(ValidationError, match="đã đóng"):
        campaigns.update_campaign(campaign, plan={"title": "Đổi"}, nominating_bodies=[], by=coordinator)
    assert (campaign.targets.count(), campaign.nominations.count(), campaign.itineraries.count()) == (0, 0, 0)


def test_closing_through_the_page_needs_the_box_ticked(client, coordinator, campaign):
    client.force_login(coordinator)
    url = reverse("inspections:campaign_close", args=[campaign.pk])
    client.post(url, {})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ACTIVE
    client.post(url, {"confirm": "xac-nhan"})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    page = client.get(reverse("inspections:campaign_detail", args=[campaign.pk])).content.decode()
    assert "đã đóng" in page and reverse("inspections:campaign_edit", args=[campaign.pk]) not in page


def test_a_draft_campaign_is_started(client, coordinator, checklist):
    draft = make_campaign(status=Campaign.Status.DRAFT, checklist=checklist)
    client.force_login(coordinator)
    client.post(reverse("inspections:campaign_start", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.ACTIVE


@pytest.mark.parametrize("url_name", ["campaign_close", "campaign_start", "campaign_edit"])
def test_an_inspector_of_the_campaign_gets_403_and_an_outsider_404(client, campaign, teams, url_name):
    outsider_campaign = make_campaign(title="Khác")
    client.force_login(teams["inspector"])
    assert client.post(reverse(f"inspections:{url_name}", args=[campaign.pk]), {"confirm": "xac-nhan"}
                       ).status_code == 403
    assert client.post(reverse(f"inspections:{url_name}", args=[outsider_campaign.pk]), {"confirm": "xac-nhan"}
                       ).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ACTIVE


def test_the_list_and_new_campaign_are_the_dic_staffs(client, inspector, office):
    client.force_login(inspector)
    assert client.get(reverse("inspections:campaign_list")).status_code == 403
    assert client.get(reverse("inspections:campaign_create")).status_code == 403
    client.force_login(office)
    assert client.get(reverse("inspections:campaign_list")).status_code == 200
    assert client.get(reverse("inspections:campaign_create")).status_code == 403  # the Office reads, never plans


def test_a_copy_of_a_campaign_out_of_scope_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("inspections:campaign_create"), {"copy": "999999"}).status_code == 404
    assert client.get(reverse("inspections:campaign_create"), {"copy": "abc"}).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_splits_current_and_past_with_a_fixed_number_of_queries(
        client, coordinator, django_assert_num_queries, count):
    for number in range(count):
        make_campaign(title=f"Hiện tại {number}", starts_on=datetime.date(2099, 1, 1),
                      ends_on=datetime.date(2099, 1, 31))
        make_campaign(title=f"Đã qua {number}", status=Campaign.Status.CLOSED)
    client.force_login(coordinator)

    # session, user with their groups, the chosen campaign, current campaigns, past campaigns' count, past campaigns
    with django_assert_num_queries(6):
        response = client.get(reverse("inspections:campaign_list"))
    assert [c.title for c in response.context["current"]] == [f"Hiện tại {n}" for n in reversed(range(count))]
    assert sorted(c.title for c in response.context["page"]) == sorted(f"Đã qua {n}" for n in range(count))


def test_the_switcher_keeps_the_campaign_and_the_home_follows_it(client, coordinator):
    demo_2021 = make_campaign(title="Kế hoạch 2021")
    later = make_campaign(title="Kế hoạch 2022", status=Campaign.Status.DRAFT, starts_on=datetime.date(2022, 2, 1),
                          ends_on=datetime.date(2022, 2, 28))
    client.force_login(coordinator)
    assert client.get(reverse("home")).context["campaign"] == demo_2021  # the one under way by default

    response = client.post(reverse("inspections:campaign_choose"), {"campaign": later.pk})

    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.context["campaign"] == later
    assert reverse("inspections:nomination_board", args=[later.pk]) in home.content.decode()
    # The menu of any page names it, read from the session.
    menu = client.get(reverse("units:unit_list")).content.decode()
    assert reverse("inspections:campaign_detail", args=[later.pk]) in menu


def test_a_campaign_out_of_scope_cannot_be_chosen(client, campaign, teams):
    other = make_campaign(title="Khác")
    client.force_login(teams["inspector"])
    assert client.post(reverse("inspections:campaign_choose"), {"campaign": other.pk}).status_code == 404
    assert client.post(reverse("inspections:campaign_choose"), {"campaign": campaign.pk}).status_code == 302
    assert client.session[campaigns.SESSION_KEY] == campaign.pk


def test_the_2021_checklist_has_english_labels_shown_in_english(checklist):
    item = ChecklistItem.objects.get(section__template=checklist, code="b2")
    section = ChecklistSection.objects.get(template=checklist, code="b")
    assert all(i.text_en for i in ChecklistItem.objects.filter(section__template=checklist))
    with translation.override("en"):
        assert (section.label, item.label) == (
            "Creating, posting and scanning location QR codes",
            "The location QR code is posted at the entrance, where it is easily seen, at the right size")
    with translation.override("vi"):
        assert item.label == item.text
