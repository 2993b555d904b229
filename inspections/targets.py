"""A campaign's targets (plan II.2): units added by hand from the registry's filters, or
picked by a stratified random draw.

A draw is reproducible: its seed and parameters are recorded on a `TargetDraw`, and
the same units, seed and parameters give the same list, so anyone can check that
the units to inspect were not hand-picked.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from inspections.models import Target, TargetDraw
from inspections.vocabulary import refuse_if_closed
from units.models import Unit

# TargetDraw.seed is a bigint; a negative seed would give the same stream as its
# absolute value (random.Random hashes abs(seed)), so two recorded seeds would look
# different yet draw the same list.
MAX_SEED = 2**63 - 1


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    # Decimal too: what a form's DecimalField gives.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class DrawParameters:
    """How many units to draw in each stratum (district × category) and from where.

    Exactly one of `per_stratum` (a fixed number, capped at the stratum's size) and
    `proportion` (0 < p <= 1 of the stratum, rounded up) is given. Invalid values
    raise `ValidationError` keyed by field name (the "one of the two" rule under
    NON_FIELD_ERRORS), so a form with the same field names can `add_error(None, error)`.
    """

    per_stratum: int | None = None
    proportion: float | None = None
    no_qr_weight: float = 1.0
    districts: tuple[int, ...] = ()
    categories: tuple[int, ...] = ()

    def __post_init__(self):
        errors = {}
        if (self.per_stratum is None) == (self.proportion is None):
            errors[NON_FIELD_ERRORS] = ValidationError(
                _("Give either a number of units per stratum or a proportion, not both."),
                code="per_stratum_or_proportion")
        if self.per_stratum is not None and not (_is_int(self.per_stratum) and self.per_stratum >= 1):
            errors["per_stratum"] = ValidationError(
                _("The number of units per stratum must be a whole number of at least 1."), code="per_stratum")
        if self.proportion is not None and not (_is_number(self.proportion) and 0 < self.proportion <= 1):
            errors["proportion"] = ValidationError(
                _("The proportion must be more than 0 and at most 1."), code="proportion")
        if not (_is_number(self.no_qr_weight) and self.no_qr_weight >= 1):
            errors["no_qr_weight"] = ValidationError(
                _("The weight of units without a location QR code must be at least 1."), code="no_qr_weight")
        for name in ("districts", "categories"):
            values = getattr(self, name)
            if isinstance(values, str | bytes) or not all(_is_int(value) for value in values):
                errors[name] = ValidationError(_("Choose from the list."), code="invalid_choice")
            else:
                # Sorted and without repeats, so that equal filters give equal parameters.
                object.__setattr__(self, name, tuple(sorted(set(values))))
        if errors:
            raise ValidationError(errors)
        # Floats, so that as_json() stores JSON numbers whatever type came in.
        if self.proportion is not None:
            object.__setattr__(self, "proportion", float(self.proportion))
        object.__setattr__(self, "no_qr_weight", float(self.no_qr_weight))

    def as_json(self) -> dict:
        """The parameters as stored on TargetDraw.parameters."""
        return {
            "per_stratum": self.per_stratum,
            "proportion": self.proportion,
            "no_qr_weight": self.no_qr_weight,
            "districts": list(self.districts),
            "categories": list(self.categories),
        }

    @classmethod
    def from_json(cls, data) -> "DrawParameters":
        """The parameters of a recorded draw; keys missing from `data` take their defaults."""
        if not isinstance(data, dict):
            raise ValidationError(_("These draw parameters cannot be read."), code="invalid")
        values = {field.name: data[field.name] for field in fields(cls) if field.name in data}
        for name in ("districts", "categories"):
            if isinstance(values.get(name), list):
                values[name] = tuple(values[name])
        return cls(**values)

    def sample_size(self, stratum_size: int) -> int:
        if self.per_stratum is not None:
            return min(self.per_stratum, stratum_size)
        # Through the decimal the user typed: 0.3 * 10 is 3.0000000000000004 in floats,
        # and rounding that up would draw 4 units instead of 3.
        return math.ceil(Fraction(repr(self.proportion)) * stratum_size)


def _check_seed(seed) -> None:
    if not (_is_int(seed) and 0 <= seed <= MAX_SEED):
        raise ValidationError(
            _("The seed must be a whole number from 0 to %(max)s."), code="seed", params={"max": MAX_SEED})


def draw_units(units, *, seed: int, parameters: DrawParameters) -> list[int]:
    """Pure and deterministic: the same units, seed and parameters give the same list.

    Draws among the active units of the `units` queryset (after the parameters'
    district and category filters), stratum by stratum (district, category), with
    weighted sampling without replacement (Efraimidis–Spirakis: each unit gets the key
    r ** (1 / w) and the largest keys win), where w is `no_qr_weight` for units
    without a location QR code and 1 otherwise. Returns the pks of the drawn units in
    (district pk, category pk, pk) order. One query; no writes.
    """
    _check_seed(seed)
    units = units.filter(is_active=True)
    if parameters.districts:
        units = units.filter(commune__parent_id__in=parameters.districts)
    if parameters.categories:
        units = units.filter(category_id__in=parameters.categories)
    strata = defaultdict(list)
    # order_by(): the model's name ordering would only cost a sort; the order that
    # matters is set below.
    for pk, district_id, category_id, qr_status in units.order_by().values_list(
        "pk", "commune__parent_id", "category_id", "qr_status"
    ):
        strata[district_id, category_id].append((pk, qr_status))

    # Not for secrecy: the seed is published with the draw so that it can be replayed.
    rng = random.Random(seed)  # noqa: S311
    drawn = []
    # Strata in sorted order and units in pk order: the random stream is consumed the
    # same way every time, whatever order the database returned the rows in.
    for stratum in sorted(strata):
        members = sorted(strata[stratum])
        keyed = []
        for pk, qr_status in members:
            weight = parameters.no_qr_weight if qr_status == Unit.QRStatus.NONE else 1.0
            keyed.append((rng.random() ** (1 / weight), pk))
        size = parameters.sample_size(len(members))
        # Largest keys win; equal keys (practically never) go to the smaller pk.
        chosen = sorted(keyed, key=lambda item: (-item[0], item[1]))[:size]
        drawn.extend(sorted(pk for _key, pk in chosen))
    return drawn


@transaction.atomic
def draw_targets(*, campaign, seed: int, parameters: DrawParameters, by, units=None) -> TargetDraw:
    """Draw units (see `draw_units`) and make them targets of `campaign`.

    `units` defaults to the active units of the registry. Side effects: one TargetDraw
    recording the seed, `parameters.as_json()` and every drawn unit id (including
    units that were already targets); one Target (draw=the TargetDraw, added_by=`by`)
    for each drawn unit not yet a target of the campaign, written with bulk_create.
    Raises ValidationError for an invalid seed.
    """
    refuse_if_closed(campaign)
    if units is None:
        units = Unit.objects.filter(is_active=True)
    unit_ids = draw_units(units, seed=seed, parameters=parameters)
    draw = TargetDraw.objects.create(
        campaign=campaign, seed=seed, parameters=parameters.as_json(), unit_ids=unit_ids, created_by=by,
    )
    already = set(campaign.targets.filter(unit_id__in=unit_ids).values_list("unit_id", flat=True))
    # ignore_conflicts: a target added by hand at the same moment stays as it is
    # (inspections_target_once_per_campaign) rather than failing the whole draw.
    Target.objects.bulk_create(
        [Target(campaign=campaign, unit_id=unit_id, draw=draw, added_by=by)
         for unit_id in unit_ids if unit_id not in already],
        ignore_conflicts=True,
    )
    return draw


class AddedTargets(NamedTuple):
    added: int
    already: int


@transaction.atomic
def add_targets(*, campaign, units, by) -> AddedTargets:
    """Add units chosen by hand (e.g. the registry's filtered list) to the campaign's
    targets. Side effects: Target rows; units already targets are left as they are.
    Returns how many were added and how many of the active units already were targets
    (the message tells both: issue #14)."""
    refuse_if_closed(campaign)
    existing = set(campaign.targets.values_list("unit_id", flat=True))
    chosen = list(units.filter(is_active=True).values_list("pk", flat=True))
    new = [Target(campaign=campaign, unit_id=pk, added_by=by) for pk in chosen if pk not in existing]
    Target.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return AddedTargets(added=len(new), already=len(chosen) - len(new))
