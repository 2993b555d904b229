"""A write applied once per `Idempotency-Key` (the phone's outbox retries after a
dropped connection; an outside system retries after a timeout).

The key, the request's fingerprint and the first answer are stored in one transaction
with the write itself: a request racing another with the same key waits on the unique
index until the first one commits, then reads its answer. The key is claimed by one
INSERT … ON CONFLICT DO NOTHING (a phone saves an answer on every tap: one statement
where get_or_create takes four, a read, a savepoint, the insert and its release). A refusal (4xx) is stored and
replayed like a success; an unexpected error rolls everything back, so the key stays free
for a retry.
"""

import hashlib
import json
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiIdempotency


def fingerprint(request) -> str:
    """The request as sent, independent of key order in JSON and of a multipart boundary."""
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        files = []
        for name, upload in sorted(request.FILES.items()):
            sha = hashlib.sha256()
            for chunk in upload.chunks():
                sha.update(chunk)
            upload.seek(0)
            files.append([name, upload.name, sha.hexdigest()])
        content = json.dumps([sorted(request.POST.lists()), files])
    else:
        try:
            content = json.dumps(json.loads(request.body or b"null"), sort_keys=True)
        except ValueError:
            content = request.body.decode("utf-8", "replace")
    return hashlib.sha256(f"{request.method} {request.path}\n{content}".encode()).hexdigest()


def once(request, key: str, write: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """The answer to this write: the stored one if `key` was used for the same request
    before, else `write()`'s (status, JSON body), stored. The same key for another
    request is refused (422) and nothing is written."""
    digest = fingerprint(request)
    with transaction.atomic():
        claimed = claim(user=request.user, key=key, method=request.method, path=request.path[:255], digest=digest)
        if claimed is None:
            record = ApiIdempotency.objects.get(user=request.user, key=key)
            if record.request_digest != digest:
                return 422, {"detail": _("This Idempotency-Key was already used for another request.")}
            return record.status, record.body
        status, body = write()
        ApiIdempotency.objects.filter(pk=claimed).update(status=status, body=body)
        return status, body


def claim(*, user, key: str, method: str, path: str, digest: str) -> int | None:
    """The id of a new row for (user, key), or None if the key was taken. A request racing
    another with the same key waits here until the other commits (or rolls back, and then
    claims it itself)."""
    table = ApiIdempotency._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (user_id, key, method, path, request_digest, status, body, created) '  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, 0, '{}'::jsonb, %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [user.pk, key, method, path, digest, timezone.now()])
        row = cursor.fetchone()
    return row[0] if row else None
