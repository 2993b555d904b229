"""A write applied once per `Idempotency-Key` (the phone's outbox retries after a
dropped connection; an outside system retries after a timeout).

The key, the request's fingerprint and the first answer are stored in one transaction
with the write itself: a request racing another with the same key waits on the unique
index until the first one commits, then reads its answer. A refusal (4xx) is stored and
replayed like a success; an unexpected error rolls everything back, so the key stays free
for a retry.
"""

import hashlib
import json
from collections.abc import Callable

from django.db import transaction
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
        record, created = ApiIdempotency.objects.get_or_create(
            user=request.user, key=key,
            defaults={"method": request.method, "path": request.path[:255], "request_digest": digest,
                      "status": 0, "body": {}})
        if not created:
            if record.request_digest != digest:
                return 422, {"detail": _("This Idempotency-Key was already used for another request.")}
            return record.status, record.body
        status, body = write()
        record.status, record.body = status, body
        record.save(update_fields=["status", "body"])
        return status, body
