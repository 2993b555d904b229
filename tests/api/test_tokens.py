"""Tokens: issued once by the command (only their SHA-256 kept), used, revoked."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from api.models import ApiToken
from api.services import digest

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_token_once_and_keeps_only_its_hash(world):
    out = io.StringIO()

    call_command("issue_api_token", "leader", "--name", "Bảng điều hành tỉnh", stdout=out)

    raw = out.getvalue().splitlines()[-1]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.digest, token.prefix) == (
        world["leadership"], "Bảng điều hành tỉnh", digest(raw), raw[:8])
    assert raw not in {token.digest, token.prefix}
    response = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/campaigns")
    assert response.json()["count"] == 1
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_of_a_deactivated_user_is_refused(world):
    out = io.StringIO()
    call_command("issue_api_token", "member1", "--name", "phone", stdout=out)
    world["member"].is_active = False
    world["member"].save()

    response = Client(headers={"authorization": f"Bearer {out.getvalue().splitlines()[-1]}"}).get("/api/visits")

    assert response.status_code == 401


def test_the_schema_is_public_and_the_documentation_is_a_page_of_the_product(world):
    schema = Client().get("/api/openapi.json")
    anonymous_docs = Client().get("/api/docs")
    client = Client()
    client.force_login(world["coordinator"])
    docs = client.get("/api/docs")

    assert schema.json()["openapi"].startswith("3.")
    assert anonymous_docs.status_code == 302 and anonymous_docs["Location"].startswith("/dang-nhap/")
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content
    assert b"cdn" not in docs.content.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]
