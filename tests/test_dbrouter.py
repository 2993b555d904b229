"""The read replica (config/dbrouter.py) on the same PostgreSQL server: which reads go to it,
with "replica" a TEST MIRROR of "default" (tests/conftest.py); and that they really do, with
"replica" a second database whose data lag behind the primary's.

Transactional tests: the replica's connection is another session, which sees only what is
committed."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.dbrouter import PIN_COOKIE, ReplicaRouter, replica_reads
from inspections import fieldwork
from inspections.models import Answer, Visit
from reports.models import DataVersion, ProvincialReport, RawExport
from reports.provincial import Figures
from reports.rawdata import write_raw_export
from tests.inspections.test_fieldwork import answer_all, build

ROUTED = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def router_on(settings):
    """What settings.py does when DATABASE_REPLICA_URL is set."""
    settings.DATABASE_ROUTERS = ["config.dbrouter.ReplicaRouter"]
    settings.MIDDLEWARE = ["config.dbrouter.ReplicaPinMiddleware", *settings.MIDDLEWARE]


def approve(world, visit):
    visit = fieldwork.start_visit(visit, by=world["member"])
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key=f"k{visit.pk}")
    fieldwork.approve_visit(visit, by=world["leader"])


@pytest.fixture
def world(transactional_db, coordinator):
    world = build(coordinator)
    approve(world, world["market"])
    return world


def queries(alias):
    return CaptureQueriesContext(connections[alias])


# ------------------------------------------------------------------------------ the rules


def test_reads_go_to_the_replica_only_inside_its_context_and_never_what_must_be_fresh():
    router = ReplicaRouter()
    assert router.db_for_read(Visit) == "default"
    with replica_reads():
        assert router.db_for_read(Visit) == "replica"
        # Sessions, the task queue, the lockouts and the "data changed?" version: always fresh.
        assert [router.db_for_read(model) for model in (Session, DataVersion)] == ["default", "default"]
        assert router.db_for_write(RawExport) == "default"
        # A model this context wrote (a job's progress) is read back from the primary; others still not.
        assert (router.db_for_read(RawExport), router.db_for_read(Visit)) == ("default", "replica")
    assert router.db_for_read(Visit) == "default"
    assert router.db_for_write(Visit) == "default"
    assert router.allow_migrate("replica", "inspections") is False
    assert router.allow_migrate("default", "inspections") is True


# ------------------------------------------------------------------------------ the mirror: which reads


@ROUTED
def test_the_dashboard_reads_its_figures_from_the_replica_and_the_session_from_the_primary(
        client, world, leadership, router_on):
    client.force_login(leadership)
    url = reverse("reports:campaign_dashboard", args=[world["campaign"].pk])
    with queries("replica") as replica, queries("default") as default:
        response = client.get(url)
    assert response.context["headline"]["approved"] == 1
    # Its figures come from the tallies (reports/tallies.py), which leadership reads.
    assert any('"reports_visittally"' in query["sql"] for query in replica.captured_queries)
    assert not any(table in query["sql"] for query in default.captured_queries
                   for table in ('"inspections_visit"', '"reports_visittally"', '"reports_followuptally"'))
    assert any('"django_session"' in query["sql"] for query in default.captured_queries)
    assert not any('"django_session"' in query["sql"] for query in replica.captured_queries)
    with replica_reads(), transaction.atomic():  # read-your-writes inside a transaction
        assert ReplicaRouter().db_for_read(Visit) == "default"


@ROUTED
def test_a_streamed_export_reads_its_rows_from_the_replica_while_it_streams(client, world, leadership, router_on):
    client.force_login(leadership)
    response = client.get(reverse("reports:raw_data_file", args=[world["campaign"].pk, "visits", "csv"]))
    with queries("replica") as replica, queries("default") as default:
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [line.split(",")[1] for line in body.splitlines()[1:]] == ["Chợ Nghèn", "UBND Huyện Can Lộc"]
    assert replica.captured_queries and not default.captured_queries


@ROUTED
def test_a_post_and_the_pages_after_it_read_from_the_primary(client, world, coordinator, router_on):
    client.force_login(coordinator)
    with queries("replica") as replica:
        response = client.post(reverse("reports:report_list", args=[world["campaign"].pk]), {"as_of": "15/12/2021"})
    assert response.status_code == 302 and len(replica.captured_queries) == 0
    assert float(response.cookies[PIN_COOKIE].value) > 0 and response.cookies[PIN_COOKIE]["httponly"]
    with queries("replica") as replica:
        assert client.get(response.url).status_code == 200
    assert len(replica.captured_queries) == 0  # pinned: this browser just wrote

    client.cookies.pop(PIN_COOKIE)
    with queries("replica") as replica:
        assert client.get(response.url).status_code == 200
    assert len(replica.captured_queries) > 0


@ROUTED
def test_the_raw_export_job_reads_the_rows_from_the_replica_and_writes_its_progress_on_the_primary(
        world, coordinator, router_on):
    export = RawExport.objects.create(campaign=world["campaign"], requested_by=coordinator)
    with queries("replica") as replica, queries("default") as default:
        write_raw_export(export)
    export.refresh_from_db()
    rows = Visit.objects.filter(campaign=world["campaign"]).count() + Answer.objects.count()
    assert (export.status, export.progress_done, export.progress_total) == (RawExport.Status.DONE, rows, rows)
    assert any('"inspections_answer"' in query["sql"] for query in replica.captured_queries)
    assert not any('"inspections_answer"' in query["sql"] for query in default.captured_queries)
    assert not any('"reports_rawexport"' in query["sql"] for query in replica.captured_queries)


# ------------------------------------------------------------------------------ a real second database


@pytest.fixture
def replica_behind(world):
    """A second database on the same server, a copy of the test database as it is now (the
    market's visit approved), which the "replica" alias then names: a replica frozen at this
    moment, lagging behind whatever the test writes next."""
    primary = connections["default"].settings_dict["NAME"]
    copy = f"{primary}_replica"
    connections.close_all()  # CREATE DATABASE … TEMPLATE wants no session on the template
    with connections["default"]._nodb_cursor() as cursor:
        # A connection another thread left open (a live server's, before this test) would make
        # the template busy: ended here, as nothing of this test uses it.
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                       "AND pid <> pg_backend_pid()", [primary])
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{primary}"')
    replica = connections["replica"]
    replica.settings_dict["NAME"] = copy
    yield copy
    replica.close()
    replica.settings_dict["NAME"] = primary
    with connections["default"]._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')


@ROUTED
def test_the_dashboard_shows_the_replicas_figures_while_writes_go_to_the_primary(
        client, world, coordinator, router_on, replica_behind):
    approve(world, world["committee"])  # on the primary only: the replica lags one approval behind
    assert Visit.objects.filter(status="approved").count() == 2
    assert Visit.objects.using("replica").filter(status="approved").count() == 1
    dashboard = reverse("reports:campaign_dashboard", args=[world["campaign"].pk])
    client.force_login(coordinator)

    assert client.get(dashboard).context["headline"]["approved"] == 1  # the replica's figure

    # A write goes to the primary, and reads inside its transaction too: the snapshot counts both.
    response = client.post(reverse("reports:report_list", args=[world["campaign"].pk]), {"as_of": "15/12/2021"})
    report = ProvincialReport.objects.get()
    assert sorted(Figures(report.snapshot).total.ids) == sorted([world["market"].pk, world["committee"].pk])
    assert not ProvincialReport.objects.using("replica").exists()

    # The browser that wrote is pinned to the primary: its report, and the primary's figures.
    assert client.get(response.url).status_code == 200
    assert client.get(dashboard).context["headline"]["approved"] == 2
    # Unpinned, the pages read the replica again, where the report does not exist yet.
    client.cookies.pop(PIN_COOKIE)
    assert client.get(dashboard).context["headline"]["approved"] == 1
    assert client.get(response.url).status_code == 404


@ROUTED
def test_without_the_router_every_read_stays_on_the_primary(client, world, coordinator, replica_behind):
    approve(world, world["committee"])
    client.force_login(coordinator)
    response = client.get(reverse("reports:campaign_dashboard", args=[world["campaign"].pk]))
    assert response.context["headline"]["approved"] == 2
