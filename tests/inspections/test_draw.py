import json
from collections import Counter

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation

from inspections.models import Target, TargetDraw
from inspections.targets import DrawParameters, draw_targets, draw_units
from tests.factories import division, make_campaign, make_unit
from units.models import Unit, UnitCategory

# District code → (commune code, commune name): Thành phố Hà Tĩnh, Huyện Đức Thọ, Huyện Lộc Hà.
COMMUNES = {436: (18070, "Trần Phú"), 440: (18229, "Đức Thọ"), 448: (18409, "Tân Lộc")}
CATEGORY_NAMES = {"cho": "Chợ", "truong_hoc": "Trường Tiểu học", "khac": "Nhà văn hóa"}


def add_stratum(district_code, category_code, count, *, no_qr=0, inactive=0):
    """`count` units of one district and category: the first `no_qr` without a location
    QR code (the others have one posted), the last `inactive` no longer active."""
    commune_code, commune_name = COMMUNES[district_code]
    return [
        make_unit(f"{CATEGORY_NAMES[category_code]} {commune_name} số {number + 1}", commune=commune_code,
                  category=category_code, qr_status="none" if number < no_qr else "posted",
                  is_active=number < count - inactive)
        for number in range(count)
    ]


@pytest.fixture
def registry(divisions):
    """3 districts × 2 categories × 10 units, half of each stratum without a QR code."""
    for district_code in COMMUNES:
        for category_code in ("cho", "truong_hoc"):
            add_stratum(district_code, category_code, 10, no_qr=5)


def strata_of(unit_ids):
    """How many of the units fall in each (district code, category code)."""
    return Counter(Unit.objects.filter(pk__in=unit_ids).values_list("commune__parent__code", "category__code"))


def district_pk(code):
    return division(code, level=2).pk


def category_pk(code):
    return UnitCategory.objects.get(code=code).pk


def test_the_same_seed_and_parameters_give_the_same_list(registry, coordinator):
    parameters = DrawParameters(per_stratum=3, no_qr_weight=2)

    first = draw_units(Unit.objects.all(), seed=2021, parameters=parameters)
    second = draw_units(Unit.objects.all(), seed=2021, parameters=parameters)
    first_draw = draw_targets(campaign=make_campaign(), seed=2021, parameters=parameters, by=coordinator)
    replayed = draw_targets(campaign=make_campaign(title="Kiểm tra lại"), seed=2021,
                            parameters=DrawParameters.from_json(first_draw.parameters), by=coordinator)

    assert len(first) == 18
    assert second == first
    assert first_draw.unit_ids == first
    assert replayed.unit_ids == first


def test_a_different_seed_gives_a_different_list(registry):
    parameters = DrawParameters(per_stratum=3)

    first = draw_units(Unit.objects.all(), seed=1, parameters=parameters)
    second = draw_units(Unit.objects.all(), seed=2, parameters=parameters)

    assert second != first
    assert strata_of(second) == strata_of(first)


def test_the_list_is_in_district_category_pk_order(registry):
    unit_ids = draw_units(Unit.objects.all(), seed=7, parameters=DrawParameters(per_stratum=4))

    units = Unit.objects.in_bulk(unit_ids)
    assert unit_ids == sorted(unit_ids, key=lambda pk: (units[pk].commune.parent_id, units[pk].category_id, pk))


def test_per_stratum_draws_that_many_units_or_the_whole_stratum(registry):
    add_stratum(448, "khac", 2)

    four = draw_units(Unit.objects.all(), seed=11, parameters=DrawParameters(per_stratum=4))
    fifty = draw_units(Unit.objects.all(), seed=11, parameters=DrawParameters(per_stratum=50))

    assert strata_of(four) == {
        (436, "cho"): 4, (436, "truong_hoc"): 4, (440, "cho"): 4, (440, "truong_hoc"): 4,
        (448, "cho"): 4, (448, "truong_hoc"): 4, (448, "khac"): 2,
    }
    assert sorted(fifty) == sorted(Unit.objects.values_list("pk", flat=True))


def test_a_proportion_is_rounded_up_in_each_stratum(registry):
    add_stratum(448, "khac", 2)

    quarter = draw_units(Unit.objects.all(), seed=5, parameters=DrawParameters(proportion=0.25))
    # 0.3 × 10 is 3.0000000000000004 in floating point: still 3 units, not 4.
    three_tenths = draw_units(Unit.objects.all(), seed=5, parameters=DrawParameters(proportion=0.3))

    assert strata_of(quarter) == {
        (436, "cho"): 3, (436, "truong_hoc"): 3, (440, "cho"): 3, (440, "truong_hoc"): 3,
        (448, "cho"): 3, (448, "truong_hoc"): 3, (448, "khac"): 1,
    }
    assert strata_of(three_tenths) == {
        (436, "cho"): 3, (436, "truong_hoc"): 3, (440, "cho"): 3, (440, "truong_hoc"): 3,
        (448, "cho"): 3, (448, "truong_hoc"): 3, (448, "khac"): 1,
    }


def test_district_and_category_filters_restrict_the_strata(registry):
    parameters = DrawParameters(per_stratum=2, districts=(district_pk(436), district_pk(448)),
                                categories=(category_pk("cho"),))

    unit_ids = draw_units(Unit.objects.all(), seed=3, parameters=parameters)

    assert strata_of(unit_ids) == {(436, "cho"): 2, (448, "cho"): 2}


def test_inactive_units_are_never_drawn(divisions, coordinator):
    add_stratum(436, "cho", 5, inactive=3)
    add_stratum(440, "truong_hoc", 4, inactive=4)
    active = list(Unit.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))

    from_all_units = draw_units(Unit.objects.all(), seed=1, parameters=DrawParameters(proportion=1))
    draw = draw_targets(campaign=make_campaign(), seed=1, parameters=DrawParameters(per_stratum=5),
                        units=Unit.objects.all(), by=coordinator)

    assert len(active) == 2
    assert from_all_units == active
    assert draw.unit_ids == active


def test_a_heavy_weight_makes_units_without_qr_dominate(registry):
    """Each stratum has 5 units without a QR code and 5 with one; 3 drawn per stratum."""

    without_qr = set(Unit.objects.filter(qr_status="none").values_list("pk", flat=True))

    def share_without_qr(weight):
        # Over 5 fixed seeds: 5 × 6 strata × 3 = 90 picks, a unit counted once per draw it is in.
        picks = []
        for seed in range(5):
            picks += draw_units(Unit.objects.all(), seed=seed,
                                parameters=DrawParameters(per_stratum=3, no_qr_weight=weight))
        return sum(pk in without_qr for pk in picks) / len(picks)

    assert share_without_qr(50) >= 0.8
    assert share_without_qr(1) < 0.8


@pytest.mark.parametrize(("fields", "errors"), [
    ({}, {NON_FIELD_ERRORS: ["Give either a number of units per stratum or a proportion, not both."]}),
    ({"per_stratum": 2, "proportion": 0.5},
     {NON_FIELD_ERRORS: ["Give either a number of units per stratum or a proportion, not both."]}),
    ({"per_stratum": 0}, {"per_stratum": ["The number of units per stratum must be a whole number of at least 1."]}),
    ({"per_stratum": -3}, {"per_stratum": ["The number of units per stratum must be a whole number of at least 1."]}),
    ({"per_stratum": 2.5}, {"per_stratum": ["The number of units per stratum must be a whole number of at least 1."]}),
    ({"proportion": 0}, {"proportion": ["The proportion must be more than 0 and at most 1."]}),
    ({"proportion": 1.01}, {"proportion": ["The proportion must be more than 0 and at most 1."]}),
    ({"proportion": -0.2}, {"proportion": ["The proportion must be more than 0 and at most 1."]}),
    ({"proportion": float("nan")}, {"proportion": ["The proportion must be more than 0 and at most 1."]}),
    ({"per_stratum": 2, "no_qr_weight": 0.5},
     {"no_qr_weight": ["The weight of units without a location QR code must be at least 1."]}),
    ({"per_stratum": 2, "districts": ("436",)}, {"districts": ["Choose from the list."]}),
])
def test_invalid_parameters_are_refused(fields, errors):
    with pytest.raises(ValidationError) as refused:
        DrawParameters(**fields)

    with translation.override("en"):
        assert refused.value.message_dict == errors


def test_invalid_recorded_parameters_are_refused_too():
    with pytest.raises(ValidationError):
        DrawParameters.from_json({"per_stratum": 0})


def test_the_boundaries_are_valid():
    assert DrawParameters(proportion=1, no_qr_weight=1).as_json() == {
        "per_stratum": None, "proportion": 1.0, "no_qr_weight": 1.0, "districts": [], "categories": []}


@pytest.mark.parametrize("seed", [-1, 2**63, "2021"])
def test_a_seed_outside_the_recordable_range_is_refused(divisions, seed):
    with pytest.raises(ValidationError):
        draw_units(Unit.objects.all(), seed=seed, parameters=DrawParameters(per_stratum=1))


def test_parameters_round_trip_through_json():
    parameters = DrawParameters(proportion=0.2, no_qr_weight=3, districts=(12, 5, 12), categories=(7,))

    stored = json.loads(json.dumps(parameters.as_json()))

    assert stored == {"per_stratum": None, "proportion": 0.2, "no_qr_weight": 3.0, "districts": [5, 12],
                      "categories": [7]}
    assert DrawParameters.from_json(stored) == parameters


def test_draw_targets_records_the_draw_and_adds_its_units(registry, campaign, coordinator):
    parameters = DrawParameters(per_stratum=2, no_qr_weight=4, categories=(category_pk("truong_hoc"),))
    expected = draw_units(Unit.objects.all(), seed=42, parameters=parameters)

    draw = draw_targets(campaign=campaign, seed=42, parameters=parameters, by=coordinator)

    stored = TargetDraw.objects.get()
    assert (stored.pk, stored.campaign, stored.seed, stored.created_by) == (draw.pk, campaign, 42, coordinator)
    assert stored.unit_ids == expected
    assert DrawParameters.from_json(stored.parameters) == parameters
    assert sorted(campaign.targets.values_list("unit_id", "draw_id", "added_by_id")) == sorted(
        (unit_id, draw.pk, coordinator.pk) for unit_id in expected)


def test_draw_targets_skips_units_that_are_already_targets(registry, campaign, coordinator):
    parameters = DrawParameters(per_stratum=3)
    expected = draw_units(Unit.objects.all(), seed=9, parameters=parameters)
    by_hand = Target.objects.create(campaign=campaign, unit_id=expected[0], added_by=coordinator)

    draw = draw_targets(campaign=campaign, seed=9, parameters=parameters, by=coordinator)

    by_hand.refresh_from_db()
    assert draw.unit_ids == expected
    assert by_hand.draw is None
    assert sorted(campaign.targets.values_list("unit_id", flat=True)) == sorted(expected)
    assert sorted(draw.targets.values_list("unit_id", flat=True)) == sorted(expected[1:])


def test_draw_units_runs_one_query(registry, django_assert_num_queries):
    parameters = DrawParameters(proportion=0.5, districts=(district_pk(440),))

    # The active units of the queryset with their district, category and QR status.
    with django_assert_num_queries(1):
        draw_units(Unit.objects.all(), seed=1, parameters=parameters)


def test_the_draws_message_says_how_many_were_added_and_how_many_already_were_targets(
        client, registry, campaign, coordinator):
    first = draw_targets(campaign=campaign, seed=1, parameters=DrawParameters(per_stratum=1), by=coordinator)
    client.force_login(coordinator)

    with translation.override("vi"):
        response = client.post(f"/ke-hoach/{campaign.pk}/doi-tuong/",
                               {"seed": 1, "per_stratum": 2, "no_qr_weight": 1}, follow=True)

    second = TargetDraw.objects.exclude(pk=first.pk).get()
    added = Target.objects.filter(draw=second).count()
    assert (len(second.unit_ids), added) == (12, 12 - len(set(first.unit_ids) & set(second.unit_ids)))
    assert [str(message) for message in response.context["messages"]] == [
        f"Đã chọn 12 đơn vị: thêm {added} đơn vị vào danh sách kiểm tra, {12 - added} đơn vị đã có sẵn."]
