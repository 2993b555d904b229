"""'Quên mật khẩu?': the link on the log-in page, the e-mail in Vietnamese, the new
password set from its link (the page the invitation opens too)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from tests.factories import make_user

RESET_LINK = re.compile(r"http://testserver(/dat-mat-khau/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def officer(db):
    return make_user("canbo", Role.COORDINATOR, email="canbo@sotttt.hatinh.gov.vn", first_name="Nguyễn Văn An")


def ask_for_a_link(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def test_the_login_page_links_to_the_reset(client, db):
    page = client.get(reverse("login")).content.decode()

    assert f'<a href="{reverse("password_reset")}">Quên mật khẩu?</a>' in page


def test_the_reset_page_opens_without_signing_in_and_labels_its_field(client, db):
    response = client.get(reverse("password_reset"))

    assert response.status_code == 200
    assert '<label for="id_email" class="form-label">Địa chỉ e-mail</label>' in response.content.decode()


def test_the_e_mail_is_in_vietnamese_and_holds_a_link(client, officer):
    response = ask_for_a_link(client, "canbo@sotttt.hatinh.gov.vn")

    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["canbo@sotttt.hatinh.gov.vn"]
    assert message.subject == "Đặt mật khẩu mới cho hệ thống kiểm tra PC-Covid"
    assert message.body.startswith("Kính gửi Nguyễn Văn An,\n")
    assert "Tên đăng nhập: canbo" in message.body
    assert RESET_LINK.search(message.body)


def test_an_unknown_address_sends_nothing_and_says_the_same(client, officer):
    response = ask_for_a_link(client, "not-here@example.com")

    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    done = client.get(reverse("password_reset_done")).content.decode()
    assert "Nếu có tài khoản với địa chỉ này" in done


def test_the_link_sets_a_new_password_once(client, officer):
    ask_for_a_link(client, "canbo@sotttt.hatinh.gov.vn")
    link = RESET_LINK.search(mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)  # Django moves the token into the session
    new_password = "hoa-sen-ha-tinh-2021"
    saved = client.post(form_page.redirect_chain[-1][0],
                        {"new_password1": new_password, "new_password2": new_password})

    assert saved["Location"] == reverse("password_reset_complete")
    assert get_user_model().objects.get(username="canbo").check_password(new_password)
    signed_in = client.post(reverse("login"), {"username": "canbo", "password": new_password})
    assert signed_in["Location"] == "/"
    client.logout()
    again = client.get(link, follow=True)
    assert "Đường dẫn đã hết hạn hoặc đã được dùng." in again.content.decode()
