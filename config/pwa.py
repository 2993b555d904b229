"""The installable app of the inspector's day (docs/offline.md): the web app manifest,
the service worker that keeps the field pages on the phone, and the page shown when a
page was never kept and there is no network.

The service worker is served from the site's root so that its scope is the whole site;
it is a template so that it names the static files by their deployed (hashed) URLs.
Only the pages an inspector needs in the field are kept (FIELD_PAGES): the home page,
itineraries and visits, photos; every other page is always fetched from the server."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The pages of the field kept for offline use: home, itineraries, visits (with the
# paper checklist), as regular expressions over the path, shared with the worker.
FIELD_PAGES = r"^/(lich-trinh/\d+/|luot-kiem-tra/\d+/)?$"
PHOTOS = r"^/anh/\d+/$"
# Static files every field page needs, kept when the worker is installed: a visit opened
# offline for the first time still has its scripts and styles.
FIELD_ASSETS = [
    "vendor/bootstrap/bootstrap.min.css", "css/app.css", "img/favicon.svg", "img/icon-192.png",
    "vendor/bootstrap/bootstrap.bundle.min.js", "vendor/htmx/htmx.min.js", "vendor/idb/idb.umd.js",
    "js/outbox.js", "js/visit.js", "js/offline.js", "js/forget.js", "vendor/signature_pad/signature_pad.umd.min.js",
    "vendor/jsqr/jsQR.js", "js/qrscan.js", "js/signature.js",
]
WORKBOX_MODULES = ["core", "routing", "strategies", "cacheable-response", "expiration"]


@login_not_required
@require_GET
@never_cache
def service_worker(request):
    workbox = static("vendor/workbox/workbox-sw.js")
    response = render(request, "pwa/sw.js", {
        "workbox_sw": workbox, "workbox_prefix": workbox.rsplit("/", 1)[0] + "/",
        "assets": [static(path) for path in FIELD_ASSETS if _exists(path)],
        "static_prefix": static(""), "offline_url": reverse("offline"),
        "field_pages": FIELD_PAGES, "photos": PHOTOS,
    }, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def _exists(path: str) -> bool:
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        return bool(finders.find(path)) or staticfiles_storage.exists(path)
    except ValueError:
        return False


@login_not_required
@require_GET
def manifest(request):
    return JsonResponse({
        "name": _("PC-Covid inspection · Hà Tĩnh DIC"), "short_name": _("PC-Covid inspection"),
        "description": _("Surprise inspections of PC-Covid and location QR codes: the inspector's day, offline."),
        "lang": request.LANGUAGE_CODE, "start_url": reverse("home"), "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b4f8a",
        "icons": [{"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": "any"} for size in (192, 512)] + [
            {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_GET
def offline(request):
    """Kept by the worker when installed; holds no one's data (the pages kept on this
    phone are listed by offline.js from what the phone itself recorded)."""
    return render(request, "pwa/offline.html")
