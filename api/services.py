"""The API tokens' life: issued (shown once), used, revoked."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken

# A token's last use is written at most once a minute: a busy system would otherwise
# write a row on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_token(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`. Returns the record and the token itself, which is not
    stored and cannot be shown again. Side effect: the ApiToken row (its SHA-256)."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:120], digest=digest(raw), prefix=raw[:8])
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, by) -> ApiToken:
    """Refuse the token from now on (kept, with the time, for the record). Revoking a
    revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_token(raw: str):
    """The active user of a usable token, else None. Side effect: the token's last use
    (at most once a minute)."""
    token = ApiToken.objects.usable().select_related("user").filter(digest=digest(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
