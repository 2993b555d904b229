"""accounts/backends.py: a request's user comes with their roles, in one query, read fresh each time."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.backends import RolesBackend
from accounts.roles import Role, group_for, roles_of
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_user_and_their_roles_are_one_query(django_assert_num_queries):
    user = make_user("both", Role.COORDINATOR, Role.OFFICE)

    with django_assert_num_queries(1):
        loaded = RolesBackend().get_user(user.pk)
        roles = roles_of(loaded)

    assert roles == [Role.COORDINATOR, Role.OFFICE]  # widest first, as roles_of orders them


def test_a_superuser_is_an_administrator_and_a_user_without_groups_has_no_role():
    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "x-Secret-123")
    plain = make_user("plain")

    assert roles_of(RolesBackend().get_user(root.pk)) == [Role.ADMINISTRATOR]
    assert roles_of(RolesBackend().get_user(plain.pk)) == []


def test_an_inactive_or_missing_user_is_nobody():
    user = make_user("gone", Role.COORDINATOR, is_active=False)

    assert RolesBackend().get_user(user.pk) is None
    assert RolesBackend().get_user(user.pk + 1000) is None


def test_a_change_of_groups_shows_on_the_next_page(client):
    user = make_user("moved", Role.INSPECTOR)
    client.force_login(user)
    assert client.get(reverse("inspections:campaign_list")).status_code == 403  # an inspector does not list campaigns

    user.groups.add(group_for(Role.COORDINATOR))

    assert client.get(reverse("inspections:campaign_list")).status_code == 200
