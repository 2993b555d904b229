"""The Idempotency-Key claimed by one INSERT … ON CONFLICT DO NOTHING (api/idempotency.py): a key
once; a request racing another with the same key waits for the first to commit, then replays
its answer; a first request that fails leaves the key free. Real concurrent transactions on two
connections, so these tests commit (transaction=True)."""

import threading

import pytest
from django.db import connection, transaction
from django.test import RequestFactory

from api import idempotency
from api.models import ApiIdempotency
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def request_for(user, body=b'{"value": "yes"}'):
    request = RequestFactory().post("/api/visits/1/answers", body, content_type="application/json")
    request.user = user
    return request


def test_a_key_is_applied_once_and_its_answer_replayed():
    user = make_user("member1")
    writes = []

    def write():
        writes.append(1)
        return 200, {"saved": len(writes)}

    first = idempotency.once(request_for(user), "k-1", write)
    again = idempotency.once(request_for(user), "k-1", write)

    assert (first, again, len(writes)) == ((200, {"saved": 1}), (200, {"saved": 1}), 1)
    assert list(ApiIdempotency.objects.values_list("key", "status", "body")) == [("k-1", 200, {"saved": 1})]


def test_the_same_key_of_another_user_is_their_own():
    first, second = make_user("member1"), make_user("member2")

    assert idempotency.once(request_for(first), "k-1", lambda: (200, {"by": 1})) == (200, {"by": 1})
    assert idempotency.once(request_for(second), "k-1", lambda: (200, {"by": 2})) == (200, {"by": 2})


def test_a_request_racing_the_first_with_its_key_waits_and_replays_its_answer():
    user = make_user("member1")
    first_claimed, first_may_commit = threading.Event(), threading.Event()
    answers = {}

    def first():
        def write():
            first_claimed.set()
            first_may_commit.wait(10)
            return 200, {"saved": "first"}
        try:
            answers["first"] = idempotency.once(request_for(user), "k-1", write)
        finally:
            connection.close()

    def second():
        try:
            answers["second"] = idempotency.once(request_for(user), "k-1", lambda: (200, {"saved": "second"}))
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_claimed.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(1)
    assert two.is_alive()  # waiting on the first one's row until it commits
    first_may_commit.set()
    one.join(10)
    two.join(10)

    assert answers == {"first": (200, {"saved": "first"}), "second": (200, {"saved": "first"})}
    assert ApiIdempotency.objects.filter(user=user, key="k-1").count() == 1


def test_a_first_request_that_fails_leaves_the_key_free():
    user = make_user("member1")

    def failing():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        idempotency.once(request_for(user), "k-1", failing)

    assert not ApiIdempotency.objects.filter(key="k-1").exists()
    assert idempotency.once(request_for(user), "k-1", lambda: (200, {"saved": "retry"})) == (200, {"saved": "retry"})
    assert transaction.get_autocommit()
