import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_vietnamese_is_the_default_even_for_a_browser_that_asks_for_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "<title>Đăng nhập · Sở TT&TT Hà Tĩnh</title>" in html
    assert response["Content-Language"] == "vi"


@pytest.mark.django_db
def test_switching_to_english_and_back(client, coordinator, campaign):
    client.force_login(coordinator)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "What to do next" in html

    response = client.post(reverse("set_language"), {"language": "vi", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Việc cần làm tiếp theo" in html


@pytest.mark.django_db
def test_dates_are_dd_mm_yyyy_in_both_languages(client, coordinator, campaign):
    client.force_login(coordinator)

    for language in ("vi", "en"):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        html = client.get("/").content.decode()
        assert "01/12/2021 – 31/12/2021" in html
        assert "28/11/2021" in html


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies["django_language"] = "fr"

    response = client.get(reverse("login"))

    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.django_db
def test_pages_are_in_composed_unicode_so_diacritics_render_right(client, coordinator, campaign):
    """Django names Vietnamese 'Tiếng Việt' in decomposed form; the switch must not."""
    import unicodedata

    client.force_login(coordinator)
    for language in ("vi", "en"):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        html = client.get("/").content.decode()
        assert unicodedata.is_normalized("NFC", html)
        assert ">Tiếng Việt</button>" in html
