"""/api/: the REST API (django-ninja), its OpenAPI 3 schema at /api/openapi.json and
the browsable documentation at /api/docs (Swagger UI from django-ninja's own static
files: nothing from a CDN, no inline script, so the CSP holds)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger

from api import fieldtools, reads, writes
from api.auth import AUTH

api = NinjaAPI(
    title="Kiểm tra PC-Covid API", version="1", urls_namespace="api", auth=AUTH,
    description="Read the campaigns, units, schedule, visits, follow-ups and reports you may see; "
                "write field work with an Idempotency-Key. See docs/api.md.",
    # No validator badge: it would call validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("", reads.router)
api.add_router("", writes.router)
api.add_router("", fieldtools.router)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": _("You may not do this.")}, status=403)


def _patterns():
    """The API answers 401 itself, in JSON: the site-wide log-in redirect
    (LoginRequiredMiddleware) is lifted from its views, except the documentation page,
    which is a page of the product like any other."""
    patterns = api.urls[0]
    for pattern in patterns:
        if pattern.name != "openapi-view":
            login_not_required(pattern.callback)
    return patterns


urlpatterns = _patterns()
app_name = "api"
