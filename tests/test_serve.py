"""`make run` serves the demo as production does (gunicorn, WhiteNoise, DEBUG off) on plain
http://127.0.0.1, whatever the checkout's .env says (DEBUG=1, for manage.py commands)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from config import serve

BASE_DIR = Path(__file__).resolve().parent.parent

SHOW_SETTINGS = """
import json
from django.conf import settings
names = ["DEBUG", "LOCAL_HTTP", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
         "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "DEMO_MODE"]
values = {name: getattr(settings, name) for name in names}
values["static"] = settings.STORAGES["staticfiles"]["BACKEND"]
print(json.dumps(values))
"""


@pytest.fixture
def demo_settings(tmp_path):
    """The settings the served processes get: the environment of serve.py over a .env with DEBUG=1."""
    env = {**os.environ, "DEBUG": "1", **serve.demo_environment(tmp_path / "key"),
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", SHOW_SETTINGS], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_demo_runs_without_debug_on_plain_http_for_this_machine_only(demo_settings):
    assert demo_settings == {
        "DEBUG": False, "LOCAL_HTTP": True, "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False, "LANGUAGE_COOKIE_SECURE": False,
        "DEMO_MODE": True, "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_the_demo_is_served_by_gunicorn_with_the_task_worker_beside_it():
    worker, server = serve.commands("8765")

    assert worker[1:] == ["manage.py", "db_worker"]
    assert server[1:5] == ["-m", "gunicorn", "config.wsgi", "--bind"]
    assert server[5] == "127.0.0.1:8765"
    assert "runserver" not in worker + server


def test_the_demo_secret_key_is_made_once_and_kept_private(tmp_path):
    key_file = tmp_path / "key"

    first = serve.demo_secret_key(key_file)

    assert len(first) >= 50
    assert serve.demo_secret_key(key_file) == first
    assert key_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_the_demo_log_in_works_over_plain_http(settings, demo_settings, coordinator):
    for name in ("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        setattr(settings, name, demo_settings[name])
    coordinator.set_password("demo12345")
    coordinator.save()
    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1:8765")

    page = client.get(reverse("login"))
    token = page.cookies["csrftoken"]
    response = client.post(reverse("login"), {"username": "coordinator", "password": "demo12345",
                                              "csrfmiddlewaretoken": token.value},
                           HTTP_ORIGIN="http://127.0.0.1:8765")

    assert (page.status_code, token["secure"]) == (200, "")
    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    assert response.cookies["sessionid"]["secure"] == ""
    assert client.get(reverse("home")).context["user"] == coordinator
