"""The headline's tallies (reports.models.FollowUpTally, TargetTally) against the rows
themselves: after each kind of change a follow-up, a correction, a visit, a unit or a target
goes through, whichever path makes it (a service, a model's save, a queryset update, a bulk
insert, a delete, a transaction writing the rows in any order), the follow-up and target tiles
read from the tallies equal the same tiles counted from the rows (FollowUp → Correction → Visit,
Target → Unit), under every filter, for both campaigns."""

import datetime
import importlib

import pytest
from django.db import connection, transaction
from django.utils import timezone

from inspections import fieldwork, followups
from inspections.models import Correction, FollowUp, FollowUpStep, Target, Visit
from reports.models import FollowUpTally, TargetTally, UnitInspections
from tests.factories import division, make_campaign, make_unit, make_visit
from tests.inspections.test_fieldwork import DAY, answer_all, at, build
from tests.reports.test_tallies import FILTERS, OTHER_COMMUNE, TODAY, both_ways
from units.models import Unit, UnitCategory

TILES = ["targets", "follow_ups_open", "follow_ups_overdue", "follow_ups_fixed", "follow_ups_not_fixed"]
BEFORE_TODAY, AFTER_TODAY = TODAY - datetime.timedelta(days=5), TODAY + datetime.timedelta(days=11)


def tiles(campaign, user, data=None) -> tuple[dict, dict]:
    tallied, counted = both_ways(campaign, user, data)
    return ({tile: tallied["headline"][tile] for tile in TILES}, {tile: counted["headline"][tile] for tile in TILES})


def assert_tallies_count_the_rows(user, *campaigns):
    """Every campaign's tiles, every filter: tallied == counted (the whole dashboard, in fact)."""
    for campaign in campaigns:
        for data in FILTERS:
            tallied, counted = both_ways(campaign, user, data)
            assert tallied == counted, (campaign.pk, data)
    assert not FollowUpTally.objects.filter(open__lt=0).exists()
    assert not FollowUpTally.objects.filter(fixed__lt=0).exists()
    assert not FollowUpTally.objects.filter(not_fixed__lt=0).exists()
    assert not TargetTally.objects.filter(targets__lt=0).exists()


def headline(campaign, user, data=None) -> dict:
    tallied, counted = tiles(campaign, user, data)
    assert tallied == counted
    return tallied


def figures(targets=0, open=0, overdue=0, fixed=0, not_fixed=0) -> dict:
    return {"targets": targets, "follow_ups_open": open, "follow_ups_overdue": overdue, "follow_ups_fixed": fixed,
            "follow_ups_not_fixed": not_fixed}


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    world["other"] = make_campaign(title="Một kế hoạch khác")
    world["bac_ha"] = make_unit("Trường THCS Bắc Hà", commune=OTHER_COMMUNE, category="truong_hoc")
    return world


def inspected(visit, member, key, overrides=None):
    """Started, answered (the overrides make it short of compliance), submitted."""
    visit = fieldwork.start_visit(visit, by=member)
    answer_all(visit, member, overrides)
    fieldwork.submit_visit(visit, by=member, key=key)
    return Visit.objects.get(pk=visit.pk)


def correction(visit, by, deadline, description="Niêm yết mã QR ở lối vào") -> Correction:
    return Correction.objects.create(visit=visit, description=description, deadline=deadline, added_by=by)


def test_the_follow_up_tiles_follow_every_change_to_a_follow_up_and_its_correction(world, leadership):
    campaign, member, leader, coordinator = world["campaign"], world["member"], world["leader"], world["coordinator"]
    check = lambda: assert_tallies_count_the_rows(leadership, campaign, world["other"])  # noqa: E731
    check()

    # Corrections asked in the field, then followed up when the visit is approved (the services).
    market = fieldwork.start_visit(world["market"], by=member)
    answer_all(market, member, {"b4": "no"})
    fieldwork.require_correction(market, description="Cử người nhắc quét mã", deadline=BEFORE_TODAY, by=member)
    fieldwork.require_correction(market, description="Niêm yết mã QR", deadline=AFTER_TODAY, by=member)
    check()
    assert headline(campaign, leadership) == figures()  # corrections, no follow-up yet
    fieldwork.submit_visit(market, by=member, key="m")
    fieldwork.approve_visit(Visit.objects.get(pk=market.pk), by=leader)
    check()
    assert headline(campaign, leadership) == figures(open=2, overdue=1)
    early, late = FollowUp.objects.order_by("deadline")

    # Its steps and outcome: a new deadline, closed, set back by a queryset, bulk updated.
    followups.record_step(early, kind=FollowUpStep.Kind.CORRECTION_DUE, date=TODAY, new_deadline=AFTER_TODAY,
                          by=coordinator)
    check()
    assert headline(campaign, leadership) == figures(open=2)
    followups.close_follow_up(late, outcome=FollowUp.Outcome.FIXED, by=coordinator)
    check()
    FollowUp.objects.filter(pk=early.pk).update(outcome=FollowUp.Outcome.NOT_FIXED, deadline=BEFORE_TODAY)
    check()
    assert headline(campaign, leadership) == figures(fixed=1, not_fixed=1)
    FollowUp.objects.update(outcome=FollowUp.Outcome.OPEN)
    check()
    assert headline(campaign, leadership) == figures(open=2, overdue=1)
    assert headline(campaign, leadership, {"date_from": "08/12/2021"}) == figures()
    assert headline(campaign, leadership, {"category": "cho"}) == figures(open=2, overdue=1)

    # Follow-ups made by hand and in bulk, at the committee's visit (another category).
    committee = inspected(world["committee"], member, "c")
    asked = [correction(committee, member, deadline) for deadline in (BEFORE_TODAY, BEFORE_TODAY, AFTER_TODAY)]
    FollowUp.objects.create(correction=asked[0], unit=committee.unit, deadline=BEFORE_TODAY)
    check()
    FollowUp.objects.bulk_create([
        FollowUp(correction=asked[1], unit=committee.unit, deadline=BEFORE_TODAY, outcome=FollowUp.Outcome.FIXED),
        FollowUp(correction=asked[2], unit=committee.unit, deadline=AFTER_TODAY)])
    check()
    assert headline(campaign, leadership, {"category": "ubnd_huyen", "date_to": "31/12/2021"}) == figures(
        open=2, overdue=1, fixed=1)

    # A follow-up moved to another correction (of another visit), then deleted, its step with it.
    spare = correction(committee, member, AFTER_TODAY)
    FollowUp.objects.filter(pk=early.pk).update(correction=spare)
    check()
    assert FollowUpStep.objects.filter(follow_up=early).exists()
    FollowUp.objects.get(pk=early.pk).delete()
    check()
    # A correction moved to another visit takes its follow-up along; one deleted after its follow-up.
    Correction.objects.filter(pk=asked[0].pk).update(visit=market)
    check()
    FollowUp.objects.filter(correction=asked[1]).delete()
    Correction.objects.filter(pk=asked[1].pk).delete()
    check()
    # In one transaction, a correction deleted before its follow-up (the foreign keys are checked
    # at commit): from the first statement on, its follow-up counts no more.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM inspections_correction WHERE id = %s", [asked[0].pk])
        check()
        FollowUp.objects.filter(correction_id=asked[0].pk).delete()
        check()
    Correction.objects.filter(visit=committee, follow_up__isnull=True).delete()  # those no longer followed up
    check()
    assert headline(campaign, leadership) == figures(open=2)


def test_the_follow_up_tiles_follow_the_visit_and_the_unit_they_were_asked_at(world, leadership):
    campaign, other, member = world["campaign"], world["other"], world["member"]
    check = lambda: assert_tallies_count_the_rows(leadership, campaign, other)  # noqa: E731
    market = inspected(world["market"], member, "m", {"b4": "no"})
    for deadline, outcome in ((BEFORE_TODAY, "open"), (AFTER_TODAY, "open"), (BEFORE_TODAY, "fixed"),
                              (AFTER_TODAY, "not_fixed")):
        FollowUp.objects.create(correction=correction(market, member, deadline), unit=market.unit, deadline=deadline,
                                outcome=outcome)
    fieldwork.approve_visit(market, by=world["leader"])  # a status changed: nothing moves
    check()
    assert headline(campaign, leadership) == figures(open=2, overdue=1, fixed=1, not_fixed=1)

    # The visit moved to another local day (23:00 on the 4th), through the model and a queryset.
    market = Visit.objects.get(pk=market.pk)
    market.starts_at = at(23) - datetime.timedelta(days=3)
    market.save()
    check()
    assert headline(campaign, leadership, {"date_to": "06/12/2021"}) == figures(open=2, overdue=1, fixed=1,
                                                                                not_fixed=1)
    Visit.objects.filter(pk=market.pk).update(starts_at=at(8) + datetime.timedelta(days=2),
                                              ends_at=at(9) + datetime.timedelta(days=2))
    check()
    # To another unit (another district), cancelled, to the other campaign and back.
    Visit.objects.filter(pk=market.pk).update(unit=world["bac_ha"])
    check()
    assert headline(campaign, leadership, {"district": "436"})["follow_ups_open"] == 2
    Visit.objects.filter(pk=market.pk).update(status=Visit.Status.CANCELLED)
    check()
    Visit.objects.filter(pk=market.pk).update(campaign=other)
    check()
    assert headline(campaign, leadership) == figures()
    assert headline(other, leadership) == figures(open=2, overdue=1, fixed=1, not_fixed=1)
    Visit.objects.filter(pk=market.pk).update(campaign=campaign, unit=world["market"].unit,
                                              status=Visit.Status.APPROVED)
    check()

    # Its unit reclassified, then moved to another district (the model, a queryset).
    unit = Unit.objects.get(pk=world["market"].unit_id)
    unit.category = UnitCategory.objects.get(code="doanh_nghiep_sxkd")
    unit.save()
    check()
    assert headline(campaign, leadership, {"category": "cho"}) == figures()
    Unit.objects.filter(pk=unit.pk).update(commune=division(OTHER_COMMUNE))
    check()
    Unit.objects.filter(pk=unit.pk).update(commune=division(18406), category=UnitCategory.objects.get(code="cho"))
    check()

    # A visit deleted: through the ORM once its corrections are no longer followed up (they go
    # with it); by SQL before its corrections and follow-ups, in one transaction.
    lone = make_visit(campaign, world["bac_ha"], day=DAY, conclusion={"a": "chua_dat", "overall": "chua_dat"})
    FollowUp.objects.create(correction=correction(lone, member, BEFORE_TODAY), unit=lone.unit, deadline=BEFORE_TODAY)
    check()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM inspections_visit WHERE id = %s", [lone.pk])
        check()
        FollowUp.objects.filter(correction__visit_id=lone.pk).delete()
        Correction.objects.filter(visit_id=lone.pk).delete()
        check()
    FollowUp.objects.filter(correction__visit=market).delete()
    Visit.objects.get(pk=market.pk).delete()  # its answers and corrections go with it
    check()
    assert headline(campaign, leadership) == figures()


def test_the_target_tile_follows_every_change_to_a_target_and_its_unit(world, leadership):
    campaign, other, coordinator = world["campaign"], world["other"], world["coordinator"]
    check = lambda: assert_tallies_count_the_rows(leadership, campaign, other)  # noqa: E731
    market, committee, bac_ha = world["market"].unit, world["committee"].unit, world["bac_ha"]
    Target.objects.create(campaign=campaign, unit=market, added_by=coordinator)
    check()
    Target.objects.bulk_create([Target(campaign=campaign, unit=unit, added_by=coordinator) for unit in (committee,
                                                                                                         bac_ha)]
                               + [Target(campaign=other, unit=market, added_by=coordinator)])
    check()
    assert headline(campaign, leadership)["targets"] == 3
    assert headline(campaign, leadership, {"district": "443"})["targets"] == 2
    assert headline(campaign, leadership, {"category": "cho"})["targets"] == 1
    assert headline(other, leadership)["targets"] == 1

    # A unit reclassified and moved (the model, a queryset): its targets go with it.
    market.category = UnitCategory.objects.get(code="doanh_nghiep_sxkd")
    market.save()
    check()
    Unit.objects.filter(pk__in=[market.pk, committee.pk]).update(commune=division(OTHER_COMMUNE))
    check()
    assert headline(campaign, leadership, {"district": "436"})["targets"] == 3
    # A target given to another unit, to the other campaign; removed.
    Target.objects.filter(campaign=campaign, unit=bac_ha).update(unit=make_unit("Chợ Vĩnh Lộc", commune=18406))
    check()
    Target.objects.filter(campaign=campaign, unit=committee).update(campaign=other)
    check()
    Target.objects.filter(campaign=campaign, unit=market).delete()
    check()
    assert headline(campaign, leadership)["targets"] == 1
    assert headline(other, leadership)["targets"] == 2


def reserve(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        return cursor.fetchone()[0]


def chain(world) -> dict:
    """How to write a unit, a visit of it, a correction asked at it, its follow-up and a target of
    the unit, each given the ids of the others before they exist."""
    campaign, member = world["campaign"], world["member"]
    unit_id, visit_id, correction_id = (reserve(table) for table in (
        "units_unit", "inspections_visit", "inspections_correction"))
    moment = at(9) + datetime.timedelta(days=1)
    return {
        "unit": lambda: make_unit("Nhà văn hoá thôn 1", commune=OTHER_COMMUNE, category="cho", id=unit_id),
        "visit": lambda: Visit.objects.create(
            id=visit_id, campaign=campaign, unit_id=unit_id, starts_at=moment,
            ends_at=moment + datetime.timedelta(hours=1), status=Visit.Status.APPROVED,
            conclusion={"a": "chua_dat", "overall": "chua_dat"}),
        "correction": lambda: Correction.objects.create(id=correction_id, visit_id=visit_id, deadline=BEFORE_TODAY,
                                                        description="Niêm yết mã QR", added_by=member),
        "follow_up": lambda: FollowUp.objects.create(correction_id=correction_id, unit_id=unit_id,
                                                     deadline=BEFORE_TODAY),
        "target": lambda: Target.objects.create(campaign=campaign, unit_id=unit_id, added_by=member),
        "ids": {"unit": unit_id, "visit": visit_id, "correction": correction_id},
    }


COMPLETE = figures(targets=1, open=1, overdue=1)


@pytest.mark.parametrize("last", ["correction", "visit", "unit"])
def test_rows_written_before_what_they_refer_to_count_once_it_is_there(world, leadership, last):
    """The foreign keys are checked at commit: a transaction (a fixture loaded, say) may write a
    follow-up before its correction, its visit and its unit, a target before its unit. Each
    tally counts the rows once what they join to is there, whichever is written last."""
    campaign = world["campaign"]
    write = chain(world)
    with transaction.atomic():
        for name in [name for name in ("follow_up", "target", "correction", "visit", "unit") if name != last] + [last]:
            write[name]()
        assert_tallies_count_the_rows(leadership, campaign)  # the visit's figures too (migration 0013)
        assert headline(campaign, leadership) == COMPLETE
        assert headline(campaign, leadership, {"district": "436", "date_from": "08/12/2021"}) == COMPLETE


TABLES = {"unit": "units_unit", "visit": "inspections_visit", "correction": "inspections_correction"}


@pytest.mark.parametrize("first", ["correction", "visit", "unit"])
def test_rows_deleted_before_what_refers_to_them_stop_counting_from_the_first(world, leadership, first):
    campaign = world["campaign"]
    write = chain(world)
    for name in ("unit", "visit", "correction", "follow_up", "target"):
        write[name]()
    assert headline(campaign, leadership) == COMPLETE
    ids = write["ids"]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLES[first]} WHERE id = %s", [ids[first]])  # noqa: S608
        FollowUp.objects.filter(correction_id=ids["correction"]).delete()
        Target.objects.filter(unit_id=ids["unit"]).delete()
        Correction.objects.filter(pk=ids["correction"]).delete()
        Visit.objects.filter(pk=ids["visit"]).delete()
        UnitInspections.objects.filter(unit_id=ids["unit"]).delete()  # as Unit.delete() does
        Unit.objects.filter(pk=ids["unit"]).delete()
        assert_tallies_count_the_rows(leadership, campaign)
        assert headline(campaign, leadership) == figures()


def test_the_tallies_built_at_migration_equal_those_kept_by_the_triggers(world, leadership):
    member = world["member"]
    market = inspected(world["market"], member, "m", {"b4": "no"})
    for deadline, outcome in ((BEFORE_TODAY, "open"), (AFTER_TODAY, "fixed"), (BEFORE_TODAY, "not_fixed")):
        FollowUp.objects.create(correction=correction(market, member, deadline), unit=market.unit, deadline=deadline,
                                outcome=outcome)
    Target.objects.bulk_create([Target(campaign=campaign, unit=unit, added_by=member) for campaign, unit in (
        (world["campaign"], market.unit), (world["campaign"], world["bac_ha"]), (world["other"], market.unit))])
    FollowUp.objects.filter(deadline=AFTER_TODAY).delete()  # a cell fallen to zero stays
    kept_follow_ups = sorted(row[1:] for row in FollowUpTally.objects.exclude(open=0, fixed=0, not_fixed=0)
                             .values_list())
    kept_targets = sorted(row[1:] for row in TargetTally.objects.exclude(targets=0).values_list())
    migration = importlib.import_module("reports.migrations.0013_follow_up_and_target_tallies")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_followuptally; DELETE FROM reports_targettally")
        cursor.execute(migration.BUILD)
    assert sorted(row[1:] for row in FollowUpTally.objects.values_list()) == kept_follow_ups
    assert sorted(row[1:] for row in TargetTally.objects.values_list()) == kept_targets
    local_day = timezone.localtime(market.starts_at).date()
    assert sorted((day, deadline, open, fixed, not_fixed) for _c, day, _m, _k, deadline, open, fixed, not_fixed
                  in (row[1:] for row in FollowUpTally.objects.values_list())) == [
        (local_day, BEFORE_TODAY, 1, 0, 1)]
    assert len(kept_targets) == 3


def test_a_viewer_who_does_not_see_every_visit_is_counted_from_the_rows(world, leadership):
    """An inspector sees no target and no follow-up (their querysets say so), whatever the tallies hold."""
    from reports.dashboard import dashboard, visit_figures

    campaign, member = world["campaign"], world["member"]
    market = inspected(world["market"], member, "m", {"b4": "no"})
    FollowUp.objects.create(correction=correction(market, member, BEFORE_TODAY), unit=market.unit,
                            deadline=BEFORE_TODAY)
    Target.objects.create(campaign=campaign, unit=market.unit, added_by=member)
    assert headline(campaign, leadership) == figures(targets=1, open=1, overdue=1)
    assert {tile: dashboard(campaign, member, TODAY)["headline"][tile] for tile in TILES} == figures()
    assert visit_figures(campaign, member)["targets"] == 0
    assert visit_figures(campaign, leadership)["targets"] == 1
