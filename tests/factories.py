"""Plain factory functions: each makes one real row in PostgreSQL."""

import datetime
import importlib
from contextlib import contextmanager

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import connections

from accounts.roles import Role, group_for
from inspections.models import Campaign, Organization, Team, TeamMembership

PASSWORD = "a-test-password-41"


def make_user(username: str, *roles: Role, **fields):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, first_name=fields.pop("first_name", username.title()),
        **fields,
    )
    user.groups.set([group_for(role) for role in roles])
    return user


def make_organization(name="Thanh tra Sở", kind=Organization.Kind.DIC_DIVISION, **fields):
    return Organization.objects.create(name=name, short_name=name, kind=kind, **fields)


def make_campaign(**fields):
    values = {
        "title": "Kiểm tra việc triển khai PC-Covid",
        "legal_basis": "Văn bản số 7641/UBND-VX ngày 12/11/2021",
        "issuing_body": "Sở Thông tin và Truyền thông tỉnh Hà Tĩnh",
        "starts_on": datetime.date(2021, 12, 1),
        "ends_on": datetime.date(2021, 12, 31),
        "nomination_deadline": datetime.date(2021, 11, 28),
        "status": Campaign.Status.ACTIVE,
    }
    values.update(fields)
    return Campaign.objects.create(**values)


def make_team(campaign, name, members):
    """members: [(user, position, organisation)]."""
    team = Team.objects.create(campaign=campaign, name=name)
    for user, position, organization in members:
        TeamMembership.objects.create(team=team, user=user, position=position, organization=organization)
    return team


def division(code: int, level=3):
    from units.models import Division

    return Division.objects.get(level=level, code=code)


def make_unit(name="Chợ Hà Tĩnh", *, commune=18070, category="cho", **fields):
    from units.models import Unit, UnitCategory

    return Unit.objects.create(
        name=name, commune=division(commune), category=UnitCategory.objects.get(code=category), **fields)


def reseed_migrated_data():
    """Run again the data migrations that seed role groups and unit categories.

    A test that commits (transaction=True, a live server) runs outside a transaction and
    the database is emptied after it, seeded rows included. Django's serialized rollback
    would restore them, but Playwright's greenlets give the ORM a connection that never
    saw the serialized copy, so tests/conftest.py (`seeded_after_a_flush`) runs the
    seeding functions before every such test instead (all are idempotent).
    """
    for module, function in (("accounts.migrations.0001_roles_as_groups", "create_groups"),
                             ("units.migrations.0002_seed_unit_categories", "seed"),
                             ("units.migrations.0008_category_synonyms", "seed_synonyms")):
        getattr(importlib.import_module(module), function)(django_apps, None)


def make_visit(campaign, unit, *, day, conclusion, status="approved"):
    """A visit written straight to the table (no itinerary, no answers), at 09:00 local time on `day`,
    for figures and reports that read only its status, conclusion and date."""
    from django.utils import timezone

    from inspections.models import Visit

    moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=timezone.get_current_timezone())
    return Visit.objects.create(campaign=campaign, unit=unit, status=status, conclusion=conclusion,
                                starts_at=moment, ends_at=moment + datetime.timedelta(hours=1))


@contextmanager
def job_held_by_a_worker(kind: int, pk: int):
    """A background job's lock (config/jobs.py) held as a live worker holds it: by another
    database session, since a session asking for a lock it holds would get it again."""
    worker = connections.create_connection("default")
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [kind, pk])
        yield
    finally:
        worker.close()
