import pytest
from django.core.management import call_command

from units.models import Division
from units.services import load_divisions


def snapshot():
    return list(Division.objects.order_by("level", "code").values_list(
        "level", "code", "name", "division_type", "parent__code"))


@pytest.mark.django_db
def test_ha_tinh_has_13_district_level_units_and_216_communes_as_in_december_2021():
    result = load_divisions()

    province = Division.objects.get(level=Division.Level.PROVINCE)
    districts = Division.objects.filter(level=Division.Level.DISTRICT)
    assert (province.code, province.name) == (42, "Tỉnh Hà Tĩnh")
    assert sorted(districts.values_list("code", flat=True)) == [
        436, 437, 439, 440, 441, 442, 443, 444, 445, 446, 447, 448, 449]
    assert districts.get(code=448).name == "Huyện Lộc Hà"
    assert set(districts.values_list("parent", flat=True)) == {province.pk}
    assert Division.objects.filter(level=Division.Level.COMMUNE, parent__parent=province).count() == 216
    assert result.created == 1 + 13 + 216
    # Counts verified in domain-facts §4: Cẩm Xuyên 23 communes, Nghi Xuân 17, Can Lộc 18.
    assert [districts.get(code=code).children.count() for code in (446, 442, 443)] == [23, 17, 18]


@pytest.mark.django_db
def test_a_second_load_changes_nothing():
    load_divisions()
    before = snapshot()

    result = load_divisions()

    assert (result.created, result.updated, result.unchanged) == (0, 0, 230)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_name_changed_by_hand_is_put_back_from_the_national_list():
    load_divisions()
    Division.objects.filter(level=Division.Level.DISTRICT, code=448).update(name="Lộc Hà")

    result = load_divisions()

    assert (result.created, result.updated) == (0, 1)
    assert Division.objects.get(level=Division.Level.DISTRICT, code=448).name == "Huyện Lộc Hà"


@pytest.mark.django_db
def test_all_63_provinces_with_the_option(capsys):
    call_command("load_divisions", "--all")

    counts = [Division.objects.filter(level=level).count() for level in Division.Level]
    assert counts == [63, 705, 10598]
    # Codes repeat across levels (province 42 and district 42 are different places).
    assert Division.objects.filter(code=42).count() > 1
    assert capsys.readouterr().out.strip() == "divisions: 11366 created, 0 updated, 0 unchanged"


@pytest.mark.django_db
def test_by_default_the_registry_province_is_loaded(settings):
    settings.REGISTRY_PROVINCE_CODE = 40  # another province than Hà Tĩnh
    load_divisions()
    assert list(Division.objects.filter(level=Division.Level.PROVINCE).values_list("code", flat=True)) == [40]
