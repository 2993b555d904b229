"""Who may open which page: anonymous → login, no role → 403, each role → its page."""

import pytest

MATRIX = [
    # (url, who, expected status)
    ("/", "anonymous", 302),
    ("/", "no_role_user", 403),
    ("/", "coordinator", 200),
    ("/", "leadership", 200),
    ("/", "office", 200),
    ("/", "team_leader", 200),
    ("/", "inspector", 200),
    ("/", "administrator", 200),
    ("/quan-tri/", "anonymous", 302),
    ("/quan-tri/", "coordinator", 302),  # not staff: the admin asks for another login
    ("/quan-tri/", "inspector", 302),
    ("/quan-tri/", "administrator", 200),
    ("/healthz", "anonymous", 200),
    ("/dang-nhap/", "anonymous", 200),
]


@pytest.mark.parametrize(("url", "who", "status"), MATRIX)
def test_permission_matrix(client, request, db, campaign, url, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == status


@pytest.mark.django_db
def test_the_404_and_403_pages_are_in_vietnamese(client, coordinator, leadership):
    client.force_login(coordinator)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()

    client.force_login(leadership)
    response = client.get("/don-vi/moi/")
    assert response.status_code == 403
    assert "Vai trò của bạn không được phép" in response.content.decode()
