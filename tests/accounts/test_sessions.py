"""Signed out after 30 minutes without a request (shared office computers)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.sessions import LAST_ACTIVITY
from tests.factories import PASSWORD


def sign_in(client):
    client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})


def idle_for(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] -= seconds
    session.save()


@pytest.mark.django_db
def test_a_request_after_31_idle_minutes_signs_out_and_says_why(client, coordinator):
    sign_in(client)
    idle_for(client, 31 * 60)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain == [("/dang-nhap/?next=/", 302)]
    assert "_auth_user_id" not in client.session
    assert "Bạn đã được đăng xuất sau 30 phút không hoạt động." in response.content.decode()


@pytest.mark.django_db
def test_activity_keeps_the_session_and_moves_its_stamp(client, coordinator):
    sign_in(client)
    idle_for(client, 29 * 60)
    before = client.session[LAST_ACTIVITY]

    assert client.get(reverse("home")).status_code == 200
    assert client.session[LAST_ACTIVITY] - before >= 29 * 60
    idle_for(client, 29 * 60)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_page_within_the_minute_writes_nothing_to_the_session(client, coordinator):
    """So the query counts of every page stay what they were."""
    client.force_login(coordinator)  # the log-in stamps the session
    stamp = client.session[LAST_ACTIVITY]

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))

    assert [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")] == []
    assert client.session[LAST_ACTIVITY] == stamp


def test_the_session_ends_with_the_browser_and_within_a_working_day(settings):
    assert (settings.SESSION_EXPIRE_AT_BROWSER_CLOSE, settings.SESSION_COOKIE_AGE) == (True, 8 * 60 * 60)
    assert settings.SESSION_IDLE_TIMEOUT.total_seconds() == 30 * 60
