"""The error pages a visitor can meet without DEBUG (as in production and under `make run`):
Vietnamese, no debug page, no URL list, no traceback, nothing inline for the CSP."""

import re

import pytest
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path, reverse

from config.urls import urlpatterns as product_urls


@login_not_required
def crash(request):
    raise RuntimeError("a bug with a secret in its message: s3cr3t")


urlpatterns = [*product_urls, path("hong/", crash)]


def assert_plain_page(response, status, *texts):
    html = response.content.decode()
    assert response.status_code == status
    for text in texts:
        assert text in html
    # Neither the technical 404 (its URL list) nor the technical 500 (its traceback).
    for debug_text in ("URLconf", "Django tried these URL patterns", "[name=", "Traceback", "s3cr3t", "DEBUG = True"):
        assert debug_text not in html
    assert "style=" not in html
    assert all("src=" in attributes for attributes in re.findall(r"<script\b([^>]*)>", html))


@pytest.mark.django_db
def test_a_mistyped_url_answers_404_in_vietnamese_without_the_url_list(client, settings, coordinator):
    assert settings.DEBUG is False

    assert_plain_page(client.get("/ke-hoach-khong-co/"), 404, "Không tìm thấy trang",
                      "Trang này không tồn tại hoặc tài khoản của bạn không được xem.")
    client.force_login(coordinator)
    assert_plain_page(client.get("/don-vi/khong-co/"), 404, "Không tìm thấy trang", "Về trang chủ")


@pytest.mark.django_db
def test_a_page_the_role_does_not_allow_answers_403_in_vietnamese(client, leadership):
    client.force_login(leadership)

    assert_plain_page(client.get(reverse("units:reconcile_upload")), 403, "Không được phép",
                      "Vai trò của bạn không được phép thực hiện thao tác này.")


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_answers_403_in_vietnamese(coordinator):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "coordinator", "password": "x"})

    assert_plain_page(response, 403, "Biểu mẫu đã hết hạn", "tải lại trang rồi gửi lại")


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_a_crash_answers_500_in_vietnamese_without_the_traceback():
    response = Client(raise_request_exception=False).get("/hong/")

    assert_plain_page(response, 500, "Đã xảy ra lỗi", "Dữ liệu đã nhập chưa được lưu")


def test_a_request_for_another_host_answers_400_in_vietnamese(settings):
    # DisallowedHost is raised before the session and the user exist: the page needs neither.
    response = Client(HTTP_HOST="evil.example").get("/healthz")

    assert_plain_page(response, 400, "Yêu cầu không hợp lệ")
