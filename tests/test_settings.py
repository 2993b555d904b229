import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production server (README, "Deployment"); the .env of the
    checkout says DEBUG=1, and the real environment wins over it."""
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE has no place in production.
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-ABCDEFGHIJKLMNOP",
        "ALLOWED_HOSTS": "kiemtra.example.gov.vn",
        **extra,
    }


def test_production_settings_pass_the_deployment_check_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=production_env(), capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


PLAIN_HTTP_REQUESTS = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="kiemtra.example.gov.vn")
for path in ("/healthz", "/dang-nhap/"):
    response = client.get(path)
    print(path, response.status_code, response.get("Location", response.content.decode()))
"""


def test_under_production_settings_healthz_answers_over_plain_http_and_pages_redirect_to_https():
    # The load balancer checks over HTTP; a 301 would take the app server out of service.
    result = subprocess.run(
        [sys.executable, "-c", PLAIN_HTTP_REQUESTS], cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
        env=production_env(DJANGO_SETTINGS_MODULE="config.settings"),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        '/healthz 200 {"status": "ok", "database": "ok"}',
        "/dang-nhap/ 301 https://kiemtra.example.gov.vn/dang-nhap/",
    ]


def test_plain_http_without_debug_is_refused_for_any_host_but_this_machine():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"], cwd=BASE_DIR, capture_output=True, text=True,
        env=production_env(LOCAL_HTTP="1"), timeout=60,
    )

    assert result.returncode == 1
    assert "LOCAL_HTTP is for this machine only" in result.stderr


def test_without_debug_a_secret_key_is_required():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy_and_have_no_inline_script(client, coordinator, campaign):
    for user, url in ((None, reverse("login")), (coordinator, reverse("home"))):
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        html = response.content.decode()
        scripts = re.findall(r"<script\b([^>]*)>", html)
        assert scripts and all("src=" in attributes for attributes in scripts)
        assert "style=" not in html
        assert "onclick=" not in html.lower()


def test_passwords_are_hashed_with_argon2(settings):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_time_zone_and_default_language(settings):
    assert (settings.TIME_ZONE, settings.LANGUAGE_CODE) == ("Asia/Ho_Chi_Minh", "vi")


SHOW_SCALING_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
default, replica = settings.DATABASES["default"], settings.DATABASES.get("replica", {})
print(json.dumps({
    "default": [default["NAME"], default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"],
                default["DISABLE_SERVER_SIDE_CURSORS"]],
    "prepared": [default.get("OPTIONS", {}).get("server_side_binding"),
                 default.get("OPTIONS", {}).get("prepare_threshold"),
                 replica.get("OPTIONS", {}).get("prepare_threshold")],
    "replica": [replica.get("HOST"), replica.get("NAME"), replica.get("CONN_HEALTH_CHECKS"),
                replica.get("DISABLE_SERVER_SIDE_CURSORS"), replica.get("TEST", {}).get("MIRROR")],
    "routers": settings.DATABASE_ROUTERS,
    "pin": "config.dbrouter.ReplicaPinMiddleware" in settings.MIDDLEWARE,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "bucket": settings.STORAGES["default"].get("OPTIONS", {}).get("bucket_name"),
    "overwrite": settings.STORAGES["default"].get("OPTIONS", {}).get("file_overwrite"),
}))
"""


def scaling_settings(**extra: str) -> dict:
    """The settings a production server with this environment gets (a fresh process)."""
    base = production_env()
    for name in ("DATABASE_REPLICA_URL", "MEDIA_S3_BUCKET", "DATABASE_CONN_MAX_AGE",
                 "DATABASE_DISABLE_SERVER_SIDE_CURSORS", "DATABASE_PREPARED_STATEMENTS"):
        base.pop(name, None)
    base.update(DATABASE_URL="postgres://app:pw@db.example:5432/pccovid", **extra)
    result = subprocess.run([sys.executable, "-c", SHOW_SCALING_SETTINGS], cwd=BASE_DIR, env=base,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_one_database_and_the_disk_unless_a_replica_and_a_bucket_are_configured():
    assert scaling_settings() == {
        "default": ["pccovid", 60, True, False], "prepared": [True, 2, None],
        "replica": [None, None, None, None, None],
        "routers": [], "pin": False, "storage": "django.core.files.storage.FileSystemStorage",
        "bucket": None, "overwrite": None}
    assert scaling_settings(
        DATABASE_REPLICA_URL="postgres://reader:pw@replica.example:5432/pccovid", MEDIA_S3_BUCKET="pccovid-media",
        DATABASE_CONN_MAX_AGE="300", DATABASE_DISABLE_SERVER_SIDE_CURSORS="1",
    ) == {
        # Behind PgBouncer the primary has no server-side cursors; the replica, connected directly, keeps them.
        "default": ["pccovid", 300, True, True], "prepared": [True, 2, 2],
        "replica": ["replica.example", "pccovid", True, False, "default"],
        "routers": ["config.dbrouter.ReplicaRouter"], "pin": True, "storage": "storages.backends.s3.S3Storage",
        "bucket": "pccovid-media", "overwrite": False}


def test_prepared_statements_are_on_unless_a_pooler_that_cannot_keep_them_says_otherwise():
    # Behind PgBouncer before 1.21: parameters bound in the client again, nothing prepared.
    assert scaling_settings(DATABASE_PREPARED_STATEMENTS="0",
                            DATABASE_REPLICA_URL="postgres://reader:pw@replica.example:5432/pccovid")["prepared"] == [
        None, None, None]


@pytest.mark.django_db
def test_the_suite_runs_with_prepared_statements_as_production_does():
    from django.db import connection

    with connection.cursor() as cursor:
        # Server-side binding (psycopg 3's Cursor, not its ClientCursor) ...
        assert type(cursor.cursor).__name__ == "ServerBindingCursor"
        for _ in range(3):
            cursor.execute("SELECT count(*) FROM auth_user WHERE id > %s", [0])
        # ... and from its second run the statement is prepared on the connection.
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [statement for (statement,) in cursor.fetchall()]
    assert "SELECT count(*) FROM auth_user WHERE id > $1" in statements


def test_templates_are_compiled_once_per_process_by_the_cached_loader():
    from django.template import engines

    loaders = engines["django"].engine.loaders

    assert [loader[0] for loader in loaders] == ["django.template.loaders.cached.Loader"]
