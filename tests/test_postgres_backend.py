"""The PostgreSQL backend's batches under server-side binding (config/postgres/base.py): a
statement carries at most 65,535 parameters, and what Django would send as one statement is
cut into statements that fit."""

from django.db import connection
from django.db.models.deletion import Collector

from config.postgres.base import MAX_PARAMETERS
from inspections import fieldwork
from inspections.models import Visit, VisitViewLog
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
