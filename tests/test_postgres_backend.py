"""The PostgreSQL backend under server-side binding (config/postgres/): a statement carries at
most 65,535 parameters; what Django would send as one statement is cut into statements that
fit, and an `__in` list travels as one array."""

from django.db import connection
from django.db.models.deletion import Collector
from django.test.utils import CaptureQueriesContext

from config.postgres.base import MAX_PARAMETERS
from inspections import fieldwork
from inspections.models import TargetDraw, Visit, VisitViewLog
from tests.inspections.test_fieldwork import build


def test_prepared_statements_bind_on_the_server(db):
    assert connection.vendor == "postgresql"
    assert connection.features.uses_server_side_binding


def test_a_log_of_more_rows_than_one_statement_carries_is_written_whole(db, coordinator):
    """A page or document showing 17,000 scheduled visits logs 17,000 rows of four values: 68,000
    parameters, which failed as one INSERT ("number of parameters must be between 0 and 65535")."""
    world = build(coordinator)
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    columns = [field for field in VisitViewLog._meta.concrete_fields if not field.primary_key]
    rows = MAX_PARAMETERS // len(columns) + 600
    assert rows * len(columns) > MAX_PARAMETERS
    VisitViewLog.objects.record([visit] * rows, user=world["member"], opened=VisitViewLog.Opened.ROUTE_SHEET)
    assert VisitViewLog.objects.filter(visit=visit, opened=VisitViewLog.Opened.ROUTE_SHEET).count() == rows
    assert visit.status == Visit.Status.IN_PROGRESS


def test_the_delete_collector_asks_in_batches_that_fit(db):
    field = VisitViewLog._meta.get_field("visit")
    objs = list(range(MAX_PARAMETERS + 10))
    batches = Collector(using="default").get_del_batches(objs, [field])
    assert len(batches) == 2
    assert all(len(batch) <= MAX_PARAMETERS for batch in batches)
    assert sum(len(batch) for batch in batches) == len(objs)


def test_several_columns_share_the_limit(db):
    fields = [VisitViewLog._meta.get_field(name) for name in ("visit", "user", "opened", "viewed_at")]
    assert connection.ops.bulk_batch_size(fields, [None] * 100_000) == MAX_PARAMETERS // 4
    assert connection.ops.bulk_batch_size(["pk", "pk", "a", "b"], [None] * 10) == MAX_PARAMETERS // 4


def logs(visit, user, rows):
    VisitViewLog.objects.record([visit] * rows, user=user, opened=VisitViewLog.Opened.ROUTE_SHEET)
    return list(VisitViewLog.objects.filter(visit=visit).order_by("pk").values_list("pk", flat=True))


def test_an_in_list_past_the_limit_is_one_array(db, coordinator):
    world = build(coordinator)
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    pks = logs(visit, world["member"], 3)
    many = [*range(-MAX_PARAMETERS - 10, 0), *pks, None]  # 65,545 ids no row has, the three, a NULL
    with CaptureQueriesContext(connection) as queries:
        assert VisitViewLog.objects.filter(pk__in=many).count() == 3
    assert '"id" = ANY(' in queries[-1]["sql"] and " IN (" not in queries[-1]["sql"]
    assert VisitViewLog.objects.exclude(pk__in=many).filter(visit=visit).count() == 0
    assert VisitViewLog.objects.filter(pk__in=[]).count() == 0
    assert VisitViewLog.objects.filter(pk__in=[None]).count() == 0
    assert VisitViewLog.objects.filter(pk__in=[10**20, pks[0]]).count() == 1  # past bigint, as typed in a form
    # A relation by its instances, a text column by its choices, a subquery as before.
    assert VisitViewLog.objects.filter(visit__in=[visit], opened__in=["route_sheet", "visit_page"]).count() == 3
    assert VisitViewLog.objects.filter(visit__in=Visit.objects.filter(pk=visit.pk)).count() == 3
    assert VisitViewLog.objects.filter(opened__in=[VisitViewLog.Opened.ROUTE_SHEET]).count() == 3


def test_a_json_column_in_a_list_matches_as_in(db, coordinator):
    world = build(coordinator)
    draw = TargetDraw.objects.create(campaign=world["campaign"], seed=1, parameters={"per_district": 2},
                                     unit_ids=[3, 1], created_by=coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert list(TargetDraw.objects.filter(unit_ids__in=[[3, 1], [1, 3], None])) == [draw]
    assert "= ANY(" in queries[-1]["sql"]
    assert not TargetDraw.objects.filter(parameters__in=[{"per_district": 3}, "x"]).exists()
    assert TargetDraw.objects.filter(parameters__per_district__in=[2, 4]).get() == draw


def test_the_collectors_batches_ored_into_one_statement_fit(db, coordinator):
    """The delete collector ORs its batches' querysets into one UPDATE of the rows pointing to
    what it deletes: 100,000 unit ids in one statement failed at the bench's undo of an import."""
    world = build(coordinator)
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    pks = logs(visit, world["member"], 2)
    first = VisitViewLog.objects.filter(pk__in=[*range(-40_000, 0), pks[0]])
    second = VisitViewLog.objects.filter(pk__in=[*range(-80_000, -40_000), pks[1]])
    assert (first | second).update(opened=VisitViewLog.Opened.VISIT_PAGE) == 2
