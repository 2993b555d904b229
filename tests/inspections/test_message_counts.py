"""Messages that tell the truth (issue #14, point 7): every count a success message
carries equals the change made, in both languages."""

import pytest
from django.conf import settings
from django.urls import reverse

from config.validation import ConfirmationInput
from inspections.models import Itinerary, ScheduleNotice, Target, TargetDraw
from inspections.targets import DrawParameters, draw_targets
from tests.factories import make_unit
from tests.inspections.test_draw import registry  # noqa: F401 (the draw's fixture)
from tests.inspections.test_fieldwork import build
from tests.inspections.test_proposal_views import coordinator_client, demo, proposed  # noqa: F401


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def in_english(client):
    """The language switch's cookie: the product follows it, not the browser."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_the_draw_says_how_many_were_added_and_how_many_already_were_targets_in_english(
        client, registry, campaign, coordinator):  # noqa: F811
    first = draw_targets(campaign=campaign, seed=7, parameters=DrawParameters(per_stratum=2), by=coordinator)
    before = Target.objects.filter(campaign=campaign).count()
    client.force_login(coordinator)

    in_english(client)
    response = client.post(reverse("inspections:target_list", args=[campaign.pk]),
                           {"seed": 8, "per_stratum": 3, "no_qr_weight": 1}, follow=True)

    second = TargetDraw.objects.exclude(pk=first.pk).get()
    added = Target.objects.filter(campaign=campaign).count() - before
    already = len(set(first.unit_ids) & set(second.unit_ids))
    assert (len(second.unit_ids), added + already) == (18, 18)
    assert messages_of(response) == [f"18 units drawn: {added} added to the targets, {already} already were."]


def test_units_added_by_hand_count_only_the_new_targets(client, coordinator, campaign, divisions):
    targeted = make_unit("Chợ Nghèn", commune=18406)
    make_unit("Chợ Vượng Lộc", commune=18406)
    make_unit("Chợ Cũ Nghèn", commune=18406, is_active=False)  # an inactive unit is not added, nor counted
    Target.objects.create(campaign=campaign, unit=targeted, added_by=coordinator)
    client.force_login(coordinator)

    vietnamese = client.post(reverse("inspections:target_add", args=[campaign.pk]), {"q": "cho"}, follow=True)
    in_english(client)
    english = client.post(reverse("inspections:target_add", args=[campaign.pk]), {"q": "cho"}, follow=True)

    assert sorted(Target.objects.filter(campaign=campaign).values_list("unit__name", flat=True)) == [
        "Chợ Nghèn", "Chợ Vượng Lộc"]
    assert messages_of(vietnamese) == ["Đã thêm 1 đơn vị vào danh sách kiểm tra; 1 đơn vị đã có sẵn."]
    assert messages_of(english) == ["0 units added to the targets; 2 already were."]


def test_the_schedule_is_said_sent_to_as_many_people_as_were_told(client, coordinator, db):
    world = build(coordinator)  # the itinerary was sent once already: this sends it again
    itinerary = world["market"].itinerary
    before = set(ScheduleNotice.objects.values_list("pk", flat=True))
    client.force_login(coordinator)

    in_english(client)
    response = client.post(reverse("inspections:itinerary_send", args=[itinerary.pk]),
                           {"confirm": ConfirmationInput.VALUE}, follow=True)

    told = (ScheduleNotice.objects.exclude(pk__in=before).filter(channel=ScheduleNotice.Channel.IN_APP)
            .values("recipient").distinct().count())
    assert told == itinerary.people.count() == 2
    assert messages_of(response) == ["Schedule sent to 2 people."]


@pytest.mark.parametrize("ticked", [["0"], ["0", "1"]])
def test_accepting_the_proposal_says_how_many_itineraries_were_created(coordinator_client, demo, ticked):  # noqa: F811
    coordinator_client.post(reverse("inspections:schedule_proposal_make", args=[demo.pk]))
    coordinator_client.get(reverse("inspections:schedule_proposal", args=[demo.pk]))  # the proposal's message read
    before = Itinerary.objects.count()

    in_english(coordinator_client)
    response = coordinator_client.post(reverse("inspections:schedule_proposal_accept", args=[demo.pk]),
                                       {"accept": ticked}, follow=True)

    created = Itinerary.objects.count() - before
    assert created == len(ticked)
    expected = "1 draft itinerary created." if created == 1 else f"{created} draft itineraries created."
    assert messages_of(response) == [expected]


def test_accepting_nothing_says_so_and_creates_nothing(coordinator_client, demo):  # noqa: F811
    coordinator_client.post(reverse("inspections:schedule_proposal_make", args=[demo.pk]))
    coordinator_client.get(reverse("inspections:schedule_proposal", args=[demo.pk]))
    before = Itinerary.objects.count()

    response = coordinator_client.post(reverse("inspections:schedule_proposal_accept", args=[demo.pk]), follow=True)

    assert Itinerary.objects.count() == before
    assert messages_of(response) == ["Hãy đánh dấu những ngày cần chấp nhận."]
