"""Reads of the heavy read-only pages and jobs from a read replica (docs/scaling.md).

Active only when DATABASE_REPLICA_URL is set: settings.py then adds DATABASES["replica"]
and DATABASE_ROUTERS = ["config.dbrouter.ReplicaRouter"]. Without it nothing here runs and
every query goes to "default", as before.

A router sees models, never views, so the choice is made by a context: `replica_reads()`
(a context manager) and `@reads_from_replica` (a view decorator) set a context variable
that `ReplicaRouter.db_for_read` consults. Everything else — every write, every page not
chosen, the sessions, the task queue, the log-in throttle — stays on "default".

Inside the context a read still goes to "default" when:

- a transaction is open on "default" (read-your-writes: what the transaction wrote, and
  what it is about to lock, is only on the primary);
- the same context has written that model already (a job's progress rows, a log of an
  opening): a model written is read back from where it was written;
- the model is one that must be fresh (MUST_BE_FRESH: sessions, the task queue, the
  log-in throttle, the reports' "data changed?" version);
- the request comes from a browser that has just written (an unsafe method) less than
  REPLICA_PIN_SECONDS ago (`ReplicaPinMiddleware`'s cookie): the person who saved a text or
  retook a report sees it on the next page, whatever the replica's lag.

Which views and jobs read from the replica is decided where they are defined (grep for
`reads_from_replica` and `replica_reads`); docs/scaling.md lists them and says why the
others stay on the primary.
"""

import contextvars
import functools
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "primary_until"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Whose rows must be read as they are now: a session just written, a queued task the worker
# is about to claim, the lockout count, the campaign's data version behind "data changed?".
MUST_BE_FRESH = {"sessions", "django_tasks_db", "axes", "reports.dataversion"}


class _Reads:
    """What one replica context has written (model labels, lower case)."""

    def __init__(self):
        self.written: set[str] = set()


_context: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and "config.dbrouter.ReplicaRouter" in settings.DATABASE_ROUTERS


@contextmanager
def replica_reads():
    """Inside this block, reads may go to the replica (the router's rules above). Nested
    blocks share the outer one's record of what was written."""
    if _context.get() is not None:
        yield
        return
    token = _context.set(_Reads())
    try:
        yield
    finally:
        _context.reset(token)


def _pinned(request) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


def _streamed_from_replica(content):
    """A streaming response's pieces are read after the view has returned: each piece is
    made inside its own replica context (never across a yield, so that nothing else the
    server does between two pieces reads from the replica)."""
    iterator = iter(content)
    while True:
        with replica_reads():
            try:
                piece = next(iterator)
            except StopIteration:
                return
        yield piece


def reads_from_replica(view):
    """The view's safe requests (GET, HEAD) read from the replica, unless this browser wrote
    a moment ago; its POSTs run as any other view, on the primary."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS or _pinned(request) or not replica_configured():
            return view(request, *args, **kwargs)
        with replica_reads():
            response = view(request, *args, **kwargs)
        if getattr(response, "streaming", False) and not hasattr(response, "file_to_stream"):
            response.streaming_content = _streamed_from_replica(response.streaming_content)
        return response

    return wrapped


class ReplicaPinMiddleware:
    """After a request that may have written (POST, PUT, PATCH, DELETE), this browser reads
    from the primary for REPLICA_PIN_SECONDS: longer than the replica is allowed to lag."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(PIN_COOKIE, f"{time.time() + seconds:.0f}", max_age=seconds,
                                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
        return response


def _label(model) -> tuple[str, str]:
    meta = model._meta
    return meta.app_label, f"{meta.app_label}.{meta.model_name}"


class ReplicaRouter:
    """Reads inside a replica context go to "replica" (the rules in the module's docstring);
    every write, and every read outside such a context, to "default". Both hold the same
    data, so relations between their objects are allowed; only "default" is migrated."""

    def db_for_read(self, model, **hints):
        reads = _context.get()
        if reads is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        app, label = _label(model)
        if app in MUST_BE_FRESH or label in MUST_BE_FRESH or label in reads.written:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        reads = _context.get()
        if reads is not None:
            reads.written.add(_label(model)[1])
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
