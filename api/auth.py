"""Who is calling: a session (the product's own pages and the phone's outbox, with the
CSRF token as every form) or a bearer token (outside systems, no cookie, so no CSRF)."""

from django.conf import settings
from ninja.security import APIKeyCookie, HttpBearer

from api.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token) if token else None
        if user is not None:
            # Scopes and services read request.user, as on the pages.
            request.user = user
        return user


class Session(APIKeyCookie):
    """Django's session; ninja checks the CSRF token on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


AUTH = [BearerToken(), Session()]
