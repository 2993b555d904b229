import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_answers_without_login_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


# Outside a transaction (the connection is closed and reopened), with nothing to restore: a
# serialized rollback after another test outside a transaction found its content types there.
@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_does_not_answer(client, tmp_path):
    # A real failed connection: the server is asked for on a socket directory where
    # none listens (no mock of the database).
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST=str(tmp_path), PORT="")
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
