"""Signing out after inactivity, for the shared computers of the DIC's offices
(docs/decisions.md, "Sessions end after 30 minutes without a request").

The session keeps the time of the person's last request, refreshed at most once a
minute so that a page costs no extra write; a request after SESSION_IDLE_TIMEOUT
without one signs the person out, and the log-in page says why.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LAST_ACTIVITY = "last_activity"  # seconds since the epoch, in the session
REFRESH_EVERY = 60  # seconds: the stamp's precision, and at most one session write a minute


def stamp_sign_in(sender, request, user, **kwargs):
    """On `user_logged_in`: the session starts with its stamp (the log-in saves the
    session anyway, so the first page after it writes nothing)."""
    request.session[LAST_ACTIVITY] = int(time.time())


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware; LoginRequiredMiddleware's
    check (a process_view) then sends the signed-out person to the log-in page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                logout(request)
                minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
                messages.info(request, _("You were signed out after %(minutes)s minutes without activity. "
                                         "Sign in again to continue.") % {"minutes": minutes})
            elif last is None or now - last >= REFRESH_EVERY:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)
