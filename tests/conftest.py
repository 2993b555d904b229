import shutil

import psycopg
import pytest
from django.conf import settings
from django.db import connections

from accounts.roles import Role
from inspections.models import TeamMembership
from tests.factories import make_campaign, make_organization, make_team, make_user, reseed_migrated_data
from units.services import load_divisions


def pytest_report_header(config):
    """Name the real server the suite runs against, e.g. 'database: PostgreSQL 18.6'."""
    # Django's own parameters for the driver (outside a test pytest-django lets no query through Django).
    connection = psycopg.connect(**connections.create_connection("default").get_connection_params())
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    finally:
        connection.close()
    return f"database: PostgreSQL {version}"


def require_tool(name: str, package: str) -> None:
    """A test that needs a program fails, naming what to install, when the program is
    missing: a test that cannot run must fail in CI, not skip (.ci/run installs them)."""
    if not shutil.which(name):
        pytest.fail(f"{name} is missing: apt-get install {package}", pytrace=False)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A "replica" alias as production has with DATABASE_REPLICA_URL, here a TEST MIRROR of
    "default" (the same test database, its own connection); unused unless a test turns the
    router on (tests/test_dbrouter.py), which also points it at a real second database."""
    from django.db import connections

    if "replica" not in settings.DATABASES:
        settings.DATABASES["replica"] = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
        connections.configure_settings(settings.DATABASES)  # the new alias's defaults


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded workbooks and photos of a test never land in the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with the process's cache empty (the visit page's fragments, the
    published checklists' items): a test's rows, rolled back, leave no entry for the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def seeded_after_a_flush(request):
    """A test that commits (transaction=True, a live server) starts with the role groups and
    unit categories the migrations seed. pytest-django runs such tests after all the others
    and empties the database after each, seeded rows included, so without this a test needing
    a group failed or passed by the order of the files before it."""
    marker = request.node.get_closest_marker("django_db")
    if ({"transactional_db", "live_server"} & set(request.fixturenames)
            or (marker and marker.kwargs.get("transaction"))):
        request.getfixturevalue("transactional_db")
        reseed_migrated_data()


@pytest.fixture(autouse=True)
def tasks_run_immediately(settings):
    """Background tasks run inside the request in tests; one test drives the real
    database queue and worker (tests/units/test_import_flow.py)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def divisions(db):
    """The districts and communes of settings.REGISTRY_PROVINCE_CODE, which every unit needs."""
    load_divisions()


@pytest.fixture
def campaign(db):
    return make_campaign()


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", Role.COORDINATOR)


@pytest.fixture
def leadership(db):
    return make_user("leader", Role.LEADERSHIP)


@pytest.fixture
def office(db):
    return make_user("office", Role.OFFICE)


@pytest.fixture
def administrator(db):
    return make_user("administrator", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def no_role_user(db):
    return make_user("norole")


@pytest.fixture
def teams(campaign):
    """Two teams: a leader and an inspector in team 1, another inspector in team 2."""
    inspectorate = make_organization("Thanh tra Sở")
    health = make_organization("Sở Y tế", kind="health")
    team_leader = make_user("teamleader", Role.TEAM_LEADER, Role.INSPECTOR)
    inspector = make_user("inspector", Role.INSPECTOR)
    other_inspector = make_user("otherinspector", Role.INSPECTOR)
    team_1 = make_team(campaign, "Tổ 1", [(team_leader, TeamMembership.Position.LEADER, inspectorate),
                                          (inspector, TeamMembership.Position.MEMBER, health)])
    team_2 = make_team(campaign, "Tổ 2", [(other_inspector, TeamMembership.Position.MEMBER, health)])
    return {"team_1": team_1, "team_2": team_2, "team_leader": team_leader,
            "inspector": inspector, "other_inspector": other_inspector}


@pytest.fixture
def inspector(teams):
    return teams["inspector"]


@pytest.fixture
def other_inspector(teams):
    return teams["other_inspector"]


@pytest.fixture
def team_leader(teams):
    return teams["team_leader"]
