"""The installable app (config/pwa.py; docs/offline.md) — the checks Lighthouse made of a
PWA, as tests: a manifest with a name, a start page inside the scope, standalone display
and 192/512 px icons that exist; a service worker at the root whose scope is the site and
that keeps the field pages; a page for no network that holds no one's data."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_the_app_installable():
    response = Client().get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Kiểm tra PC-Covid · Sở TT&TT Hà Tĩnh"
    assert manifest["short_name"] == "Kiểm tra PC-Covid"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["theme_color"] == "#0b4f8a"
    sizes = {}
    for icon in manifest["icons"]:
        if icon["type"] == "image/png":
            path = finders.find(icon["src"].removeprefix("/static/"))
            with Image.open(path) as image:
                sizes[icon["sizes"]] = f"{image.width}x{image.height}"
    assert sizes == {"192x192": "192x192", "512x512": "512x512"}


def test_every_page_links_the_manifest(coordinator):
    client = Client()
    client.force_login(coordinator)
    page = client.get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#0b4f8a">' in page
    assert 'data-worker="/sw.js"' in page


def test_the_service_worker_is_served_from_the_root_and_keeps_the_field_pages():
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    script = response.content.decode("unicode_escape")  # the template escapes its strings for JavaScript
    assert "importScripts(\"/static/vendor/workbox/workbox-sw.js\")" in script
    assert "modulePathPrefix: \"/static/vendor/workbox/\"" in script
    assert "NetworkFirst" in script and "StaleWhileRevalidate" in script
    # Every static file the worker keeps at installation exists.
    kept = re.search(r"var ASSETS = \[(.*?)\];", script).group(1)
    for url in re.findall(r'"([^"]+)"', kept):
        assert finders.find(url.removeprefix("/static/")), url
    for module in ("core", "routing", "strategies", "cacheable-response", "expiration"):
        assert finders.find(f"vendor/workbox/workbox-{module}.prod.js"), module


def test_the_field_pages_the_worker_keeps_are_the_home_itineraries_and_visits():
    from config.pwa import FIELD_PAGES

    kept = re.compile(FIELD_PAGES)
    assert all(kept.match(path) for path in ["/", "/lich-trinh/3/", "/luot-kiem-tra/12/"])
    assert not any(kept.match(path) for path in ["/don-vi/", "/nhat-ky/", "/ke-hoach/1/lich/", "/api/visits/1"])


def test_the_no_network_page_holds_no_ones_data(coordinator):
    client = Client()
    client.force_login(coordinator)
    page = client.get("/ngoai-tuyen/").content.decode()

    assert "Không có mạng" in page
    assert "coordinator" not in page and "Đăng xuất" not in page
    assert Client().get("/ngoai-tuyen/").status_code == 200
