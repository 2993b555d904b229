"""The registry's writes: the divisions, and units created or edited one at a time.

The Excel import (upload, parse, preview, commit) is `units.imports`; the portal's
list is `units.reconciliation`. Both write units through this module, which imports
neither of them.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from units import text
from units.models import CategorySynonym, Division, Unit, UnitCategory

_REGISTRY_PROVINCE = object()  # load_divisions' default: settings.REGISTRY_PROVINCE_CODE


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
def load_divisions(*, province_codes=_REGISTRY_PROVINCE) -> LoadResult:
    """Create or update provinces, districts and communes with their national codes.

    By default the registry's province (settings.REGISTRY_PROVINCE_CODE: Hà Tĩnh, 42);
    `province_codes=None` loads all 63 provinces. Side effects: writes Division rows,
    all or nothing; a second run with the same data changes nothing.
    """
    if province_codes is _REGISTRY_PROVINCE:
        province_codes = {settings.REGISTRY_PROVINCE_CODE}
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


# ----------------------------------------------------------------------------------------
# Units: create and edit
# ----------------------------------------------------------------------------------------

EDITABLE_FIELDS = [
    "name", "category", "commune", "address", "representative_name", "representative_title", "phone",
    "email", "qr_status", "qr_location_code", "qr_created_on", "staff_count", "is_active",
]


def likely_duplicates(*, name: str, commune, exclude_pk=None):
    """Units of the same commune whose name differs only by case, diacritics placement,
    spacing or punctuation."""
    duplicates = Unit.objects.filter(commune=commune, name_key=text.name_key(name))
    if exclude_pk:
        duplicates = duplicates.exclude(pk=exclude_pk)
    return duplicates


@transaction.atomic
def create_unit(*, by, **fields) -> Unit:
    """Create a unit. Side effects: a history record naming `by`."""
    unit = Unit(**fields, created_by=by, updated_by=by)
    unit.full_clean()
    unit._history_user = by
    unit.save()
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, by, **fields) -> Unit:
    """Change a unit. Side effects: a history record naming `by` (old → new values)."""
    for field, value in fields.items():
        setattr(unit, field, value)
    unit.updated_by = by
    unit.full_clean()
    unit._history_user = by
    unit.save()
    return unit


# ------------------------------------------------------------------------------ category synonyms


@transaction.atomic
def add_category_synonym(*, category: UnitCategory, words: str, by) -> CategorySynonym:
    """Teach the import another name for a category (issue #14). Side effects: one
    CategorySynonym row naming `by`. Raises ValidationError when the words are empty or
    already name a category (diacritics and case ignored: one meaning per word)."""
    words = text.clean(words)
    key = text.name_key(words)
    if not key:
        raise ValidationError(_("Type the words that name the category."), code="empty")
    taken = CategorySynonym.objects.filter(key=key).select_related("category").first()
    if taken:
        raise ValidationError(_("“%(words)s” already names the category “%(category)s”.")
                              % {"words": taken.words, "category": taken.category}, code="taken")
    return CategorySynonym.objects.create(category=category, words=words, key=key, created_by=by)


@transaction.atomic
def remove_category_synonym(synonym: CategorySynonym, *, by) -> None:
    """Stop reading these words as the category. Side effects: deletes the row (an import
    already read keeps the category it chose)."""
    synonym.delete()
