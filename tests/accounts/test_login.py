"""Log-in throttling (django-axes): the pair user name + address is locked after
AXES_FAILURE_LIMIT wrong passwords, for AXES_COOLOFF_TIME, with a Vietnamese page."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import PASSWORD, make_user


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_five_times(client, username="coordinator", address="10.0.0.1"):
    return [sign_in(client, username, "wrong", address).status_code for _attempt in range(5)]


@pytest.mark.django_db
def test_the_fifth_wrong_password_locks_and_the_right_one_is_then_refused(client, coordinator):
    assert fail_five_times(client) == [200, 200, 200, 200, 429]

    response = sign_in(client, "coordinator", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Mật khẩu đã sai 5 lần liên tiếp với tên đăng nhập này." in page
    assert "Việc đăng nhập bằng tên này từ máy tính này bị khóa trong 15 phút." in page
    assert reverse("password_reset") in page


@pytest.mark.django_db
def test_the_lock_holds_one_user_name_at_one_address_only(client, coordinator, leadership):
    fail_five_times(client)

    # A colleague in the same office (same address) still signs in, and so does the same
    # person from another address.
    assert sign_in(client, "leader", PASSWORD)["Location"] == "/"
    client.logout()
    assert sign_in(client, "coordinator", PASSWORD, address="10.0.0.2")["Location"] == "/"


@pytest.mark.django_db
def test_after_the_cool_off_the_right_password_signs_in(client, coordinator):
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))

    response = sign_in(client, "coordinator", PASSWORD)

    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_earlier_failures(client, coordinator):
    for _attempt in range(4):
        sign_in(client, "coordinator", "wrong")
    sign_in(client, "coordinator", PASSWORD)
    client.logout()

    assert [sign_in(client, "coordinator", "wrong").status_code for _attempt in range(4)] == [200] * 4


@pytest.mark.django_db
def test_a_locked_user_name_that_does_not_exist_gets_the_same_page(client):
    make_user("someone")

    assert fail_five_times(client, username="nobody-here") == [200, 200, 200, 200, 429]
