import json
from dataclasses import dataclass

from django.db import transaction
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from units.models import Division

HA_TINH_CODE = 42


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _divisions_in_package(province_codes: set[int] | None):
    """(code, name, level, type, codename, parent code) from vietnam-provinces 0.5.0,
    parents before children."""
    with open(NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        provinces = json.load(handle)
    for province in provinces:
        if province_codes is not None and province["code"] not in province_codes:
            continue
        yield (province["code"], province["name"], Division.Level.PROVINCE,
               province["division_type"], province["codename"], None)
        for district in province["districts"]:
            yield (district["code"], district["name"], Division.Level.DISTRICT,
                   district["division_type"], district["codename"], province["code"])
            for ward in district["wards"]:
                yield (ward["code"], ward["name"], Division.Level.COMMUNE,
                       ward["division_type"], ward["codename"], district["code"])


@transaction.atomic
def load_divisions(*, province_codes: set[int] | None = frozenset({HA_TINH_CODE})) -> LoadResult:
    """Create or update provinces, districts and communes with their national codes.

    `province_codes=None` loads all 63 provinces. Side effects: writes Division rows,
    all or nothing; a second run with the same data changes nothing.
    """
    result = LoadResult()
    # National codes are unique within a level only (province 42, district 42 and
    # commune 42 are three places), hence (level, code).
    existing = {(division.level, division.code): division for division in Division.objects.all()}
    rows = list(_divisions_in_package(province_codes))
    # One level at a time, so that each level's parents have their ids.
    for level in Division.Level:
        new, changed = [], []
        for code, name, row_level, division_type, codename, parent_code in rows:
            if row_level != level:
                continue
            wanted = {
                "name": name, "level": level, "division_type": division_type, "codename": codename,
                "parent_id": existing[level - 1, parent_code].pk if parent_code else None,
            }
            division = existing.get((level, code))
            if division is None:
                new.append(Division(code=code, **wanted))
            elif any(getattr(division, field) != value for field, value in wanted.items()):
                for field, value in wanted.items():
                    setattr(division, field, value)
                changed.append(division)
            else:
                result.unchanged += 1
        for division in Division.objects.bulk_create(new, batch_size=2000):
            existing[level, division.code] = division
        Division.objects.bulk_update(
            changed, ["name", "level", "division_type", "codename", "parent_id"], batch_size=2000
        )
        result.created += len(new)
        result.updated += len(changed)
    return result
