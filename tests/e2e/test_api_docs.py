"""The API's documentation is browsable in the product (/api/docs): Swagger UI from
django-ninja's own static files, nothing from another origin, no CSP violation (the
page fixture fails on any console error)."""

import pytest

from accounts.roles import Role
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_the_api_documentation_opens_under_the_strict_csp(transactional_db, live_server, page):
    make_user("dieuphoi", Role.COORDINATOR)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, live_server.url, "dieuphoi", PASSWORD)

    page.goto(f"{live_server.url}/api/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock-summary-path", has_text="/api/visits/{visit_id}/submit").wait_for()

    assert "Kiểm tra PC-Covid API" in page.locator(".swagger-ui .info .title").inner_text()
    assert [url for url in requested if not url.startswith(live_server.url)] == []
