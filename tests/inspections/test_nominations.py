import datetime

import pytest
from django.urls import reverse

from inspections.models import Nomination, Organization
from inspections.nominations import record_nomination
from inspections.organizations import seed_organizations
from units.services import load_divisions


@pytest.fixture
def bodies(db):
    load_divisions()
    seed_organizations()
    return list(Organization.objects.filter(kind__in=["health", "district_vhtt"]).order_by("pk"))


def nominate(campaign, organization, user, day=datetime.date(2021, 11, 25)):
    return record_nomination(campaign=campaign, organization=organization, letter_number="15/SYT-NVY",
                             letter_date=day, received_on=day, by=user,
                             nominees=[{"full_name": "Nguyễn Văn Bình", "title": "Chuyên viên", "phone": "",
                                        "email": ""}])


def test_the_board_shows_nominated_late_and_missing_bodies(client, coordinator, campaign, bodies):
    nominate(campaign, bodies[0], coordinator)
    nominate(campaign, bodies[1], coordinator, day=datetime.date(2021, 11, 29))
    client.force_login(coordinator)

    response = client.get(reverse("inspections:nomination_board", args=[campaign.pk]))

    assert len(response.context["board"]) == 14
    assert (response.context["missing"], response.context["late"]) == (12, 1)
    assert response.context["board"][0][0].kind == "health"


@pytest.mark.parametrize("count", [1, 3])
def test_the_board_runs_a_fixed_number_of_queries(client, coordinator, campaign, bodies, count,
                                                   django_assert_num_queries):
    for organization in bodies[:count]:
        nominate(campaign, organization, coordinator)
    client.force_login(coordinator)

    # session, user with their groups, campaign, whether the campaign names its bodies, expected bodies, nominations
    # with their counts
    with django_assert_num_queries(6):
        client.get(reverse("inspections:nomination_board", args=[campaign.pk]))


def test_recording_a_letter_with_its_nominees(client, coordinator, campaign, bodies):
    client.force_login(coordinator)
    data = {"organization": bodies[0].pk, "letter_number": "15/SYT-NVY", "letter_date": "24/11/2021",
            "received_on": "25/11/2021", "nominees-TOTAL_FORMS": "2", "nominees-INITIAL_FORMS": "0",
            "nominees-MIN_NUM_FORMS": "0", "nominees-MAX_NUM_FORMS": "1000",
            "nominees-0-full_name": "Trần Thị Hoa", "nominees-0-title": "Chuyên viên",
            "nominees-0-phone": "0912345678", "nominees-0-email": "hoa@example.invalid"}

    response = client.post(reverse("inspections:nomination_create", args=[campaign.pk]), data)

    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.letter_number, nomination.received_on, nomination.recorded_by) == (
        "15/SYT-NVY", datetime.date(2021, 11, 25), coordinator)
    assert list(nomination.nominees.values_list("full_name", flat=True)) == ["Trần Thị Hoa"]
    response = client.post(reverse("inspections:nomination_create", args=[campaign.pk]), data)
    assert Nomination.objects.count() == 1
    assert response.status_code == 200


def test_only_the_inspectorate_records_nominations(client, leadership, campaign, bodies):
    client.force_login(leadership)

    assert client.get(reverse("inspections:nomination_create", args=[campaign.pk])).status_code == 403


def test_accepting_a_nominee_creates_an_inspector_and_sends_a_set_password_link(
    client, coordinator, campaign, bodies, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    from accounts.roles import Role, roles_of
    from inspections.models import Team

    team = Team.objects.create(campaign=campaign, name="Tổ 1")
    nomination = record_nomination(campaign=campaign, organization=bodies[0], letter_number="15/SYT",
                                   letter_date=None, received_on=datetime.date(2021, 11, 25), by=coordinator,
                                   nominees=[{"full_name": "Trần Thị Hoa", "title": "", "phone": "",
                                              "email": "hoa.syt@example.invalid"}])
    nominee = nomination.nominees.get()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inspections:nomination_detail", args=[campaign.pk, nomination.pk]),
                    {"nominee": nominee.pk, "team": team.pk, "position": "member"})

    nominee.refresh_from_db()
    user = nominee.membership.user
    assert (user.username, user.first_name, roles_of(user), user.has_usable_password()) == (
        "hoa.syt", "Trần Thị Hoa", [Role.INSPECTOR], False)
    assert (nominee.membership.team, nominee.membership.organization) == (team, bodies[0])
    assert [m.to for m in mail.outbox] == [["hoa.syt@example.invalid"]]
    link = re.search(r"http://testserver(/dat-mat-khau/\S+)", mail.outbox[0].body).group(1)

    client.logout()
    form_page = client.get(link, follow=True)
    response = client.post(form_page.redirect_chain[-1][0],
                           {"new_password1": "mat-khau-moi-2021", "new_password2": "mat-khau-moi-2021"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("mat-khau-moi-2021")


def test_units_of_the_registrys_filters_are_added_to_the_targets_by_hand(client, coordinator, campaign, bodies):
    from inspections.models import Target
    from tests.factories import make_unit

    make_unit("Chợ Nghèn", commune=18406)
    make_unit("Trường THCS Nghèn", commune=18406, category="truong_hoc")
    make_unit("Chợ Hà Tĩnh", commune=18070)
    client.force_login(coordinator)

    page = client.get(reverse("units:unit_list"), {"q": "nghen"})
    assert [c.pk for c in page.context["target_campaigns"]] == [campaign.pk]
    client.post(reverse("inspections:target_add", args=[campaign.pk]), {"q": "nghen"})
    client.post(reverse("inspections:target_add", args=[campaign.pk]), {"q": "cho"})

    targets = Target.objects.filter(campaign=campaign).order_by("unit__sort_key")
    assert [(t.unit.name, t.draw, t.added_by) for t in targets] == [
        ("Chợ Hà Tĩnh", None, coordinator), ("Chợ Nghèn", None, coordinator), ("Trường THCS Nghèn", None, coordinator)]
