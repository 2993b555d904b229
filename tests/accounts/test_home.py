import pytest
from django.urls import reverse

from accounts.roles import Role
from inspections.models import TeamMembership
from tests.factories import PASSWORD, make_campaign, make_organization, make_team, make_user


def get_home(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/"


@pytest.mark.django_db
def test_login_with_a_wrong_password_says_so_in_vietnamese(client, coordinator):
    response = client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})

    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


@pytest.mark.django_db
def test_login_lands_on_the_home_page(client, coordinator):
    response = client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_signed_in_user_without_a_role_is_refused(client, no_role_user):
    assert get_home(client, no_role_user).status_code == 403


@pytest.mark.parametrize(
    ("fixture", "template", "next_step"),
    [
        ("coordinator", "accounts/home_coordinator.html", "Thu thập văn bản cử cán bộ"),
        ("leadership", "accounts/home_leadership.html", "Phê duyệt báo cáo"),
        ("office", "accounts/home_office.html", "bố trí xe"),
        ("administrator", "accounts/home_administrator.html", "Tạo tài khoản"),
        ("team_leader", "accounts/home_team_leader.html", "trả lại kèm lý do hoặc phê duyệt"),
        ("inspector", "accounts/home_inspector.html", "Chờ lịch kiểm tra"),
    ],
)
def test_each_role_has_its_own_home_page_saying_what_to_do_next(
    client, request, campaign, fixture, template, next_step
):
    user = request.getfixturevalue(fixture)

    response = get_home(client, user)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == template
    assert next_step in response.content.decode()


@pytest.mark.django_db
def test_an_inspector_sees_only_the_campaigns_of_their_teams(client, inspector, campaign):
    make_campaign(title="Kế hoạch khác, không có tổ của người này")

    response = get_home(client, inspector)

    assert [c.title for c in response.context["campaigns"]] == [campaign.title]


@pytest.mark.django_db
def test_the_team_leader_sees_the_members_of_the_team_they_lead_only(client, teams):
    response = get_home(client, teams["team_leader"])

    assert [m.user.username for m in response.context["team_members"]] == ["inspector"]


@pytest.mark.parametrize("campaigns", [1, 3])
@pytest.mark.django_db
def test_the_coordinator_home_page_runs_a_fixed_number_of_queries(
    client, coordinator, django_assert_num_queries, campaigns
):
    for number in range(campaigns):
        make_campaign(title=f"Kế hoạch {number}")
    client.force_login(coordinator)

    # session, user with their groups, the chosen campaign, the switcher's campaigns, registry figures, the bodies
    # the campaign names, expected bodies, nominations received, the choice kept in the session (its
    # update, with a savepoint and its release)
    with django_assert_num_queries(11):
        response = client.get(reverse("home"))
    assert len(response.context["campaign_choices"]) == campaigns
    assert response.context["campaigns"] == [response.context["campaign"]]


@pytest.mark.parametrize("members", [1, 3])
@pytest.mark.django_db
def test_the_team_leader_home_page_runs_a_fixed_number_of_queries(
    client, campaign, django_assert_num_queries, members
):
    leader = make_user("leader1", Role.TEAM_LEADER, Role.INSPECTOR)
    body = make_organization()
    others = [(make_user(f"member{n}", Role.INSPECTOR), TeamMembership.Position.MEMBER, body)
              for n in range(members)]
    make_team(campaign, "Tổ 1", [(leader, TeamMembership.Position.LEADER, body), *others])
    client.force_login(leader)

    # session, user with their groups, the chosen campaign, the switcher's campaigns, the leader's memberships, the
    # itineraries sent to them, the visits returned to their teams, the visits waiting for their review,
    # the members of their teams, the choice kept in the session (its
    # update, with a savepoint and its release)
    with django_assert_num_queries(12):
        response = client.get(reverse("home"))
    assert len(response.context["team_members"]) == members


@pytest.mark.django_db
def test_leadership_sees_the_reports_awaiting_approval(client, leadership, coordinator, campaign):
    import datetime

    from reports import services

    draft = services.create_report(campaign, as_of=datetime.date(2021, 12, 31), by=coordinator)
    approved = services.approve(
        services.create_report(campaign, as_of=datetime.date(2021, 12, 20), by=coordinator), by=leadership)

    response = get_home(client, leadership)

    assert response.context["draft_reports"] == [draft]
    assert reverse("reports:report_detail", args=[draft.pk]) in response.content.decode()
    assert reverse("reports:report_detail", args=[approved.pk]) not in response.content.decode()
