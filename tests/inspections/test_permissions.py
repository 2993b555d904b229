"""Who may open each campaign page: scope first (404), then the role (403)."""

import pytest
from django.urls import reverse

from inspections.demo import load_demo
from inspections.models import Campaign, Itinerary
from tests.factories import make_user
from units.services import load_divisions

USERS = ["admin", "dieuphoi", "lanhdao", "vanphong", "totruong", "thanhtra1", "thanhtra2", "outsider"]
# page: {user: status}; the campaign of the demo; itinerary A (07/12, team 1, sent), draft C (14/12, not sent)
EXPECTED = {
    "campaign_detail": dict.fromkeys(USERS, 200) | {"outsider": 404},
    "nomination_board": {"admin": 200, "dieuphoi": 200, "lanhdao": 200, "vanphong": 403, "totruong": 403,
                         "thanhtra1": 403, "thanhtra2": 403, "outsider": 404},
    "target_list": {"admin": 200, "dieuphoi": 200, "lanhdao": 200, "vanphong": 403, "totruong": 403,
                    "thanhtra1": 403, "thanhtra2": 403, "outsider": 404},
    "schedule": dict.fromkeys(USERS, 200) | {"outsider": 404},
    "itinerary_create": {"admin": 200, "dieuphoi": 200, "lanhdao": 403, "vanphong": 403, "totruong": 403,
                         "thanhtra1": 403, "thanhtra2": 403, "outsider": 404},
    "itinerary_sent": {"admin": 200, "dieuphoi": 200, "lanhdao": 200, "vanphong": 200, "totruong": 200,
                       "thanhtra1": 200, "thanhtra2": 404, "outsider": 404},
    "itinerary_draft": {"admin": 200, "dieuphoi": 200, "lanhdao": 200, "vanphong": 200, "totruong": 404,
                        "thanhtra1": 404, "thanhtra2": 404, "outsider": 404},
    "vehicle_list": {"admin": 200, "dieuphoi": 200, "lanhdao": 403, "vanphong": 200, "totruong": 403,
                     "thanhtra1": 403, "thanhtra2": 403, "outsider": 403},
}


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_divisions()
        load_demo()
        make_user("outsider")
        yield
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        from tests.factories import reseed_migrated_data

        reseed_migrated_data()


def url_for(page):
    campaign = Campaign.objects.get()
    if page == "itinerary_sent":
        return reverse("inspections:itinerary_detail", args=[Itinerary.objects.get(date="2021-12-07").pk])
    if page == "itinerary_draft":
        return reverse("inspections:itinerary_detail", args=[Itinerary.objects.get(date="2021-12-14").pk])
    if page == "vehicle_list":
        return reverse("inspections:vehicle_list")
    return reverse(f"inspections:{page}", args=[campaign.pk])


@pytest.mark.parametrize("page", EXPECTED)
@pytest.mark.parametrize("username", USERS)
def test_campaign_permission_matrix(client, demo_world, db, page, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))

    assert client.get(url_for(page)).status_code == EXPECTED[page][username]


@pytest.mark.parametrize("page", ["campaign_detail", "schedule", "nomination_board"])
def test_anonymous_visitors_are_sent_to_log_in(client, demo_world, db, page):
    assert client.get(url_for(page)).status_code == 302
