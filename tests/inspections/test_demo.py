import datetime

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role, roles_of
from inspections.demo import DEMO_NOMINEES, DEMO_PASSWORD, load_demo
from inspections.models import Campaign, Organization, Team, TeamMembership
from units.models import Unit

User = get_user_model()
HA_TINH = datetime.timezone(datetime.timedelta(hours=7))


def snapshot():
    return {
        "users": list(User.objects.order_by("username").values_list("username", "password", "first_name")),
        "campaigns": list(Campaign.objects.values_list("title", "starts_on", "ends_on", "status")),
        "organizations": list(Organization.objects.order_by("name").values_list("name", "kind", "district")),
        "teams": list(TeamMembership.objects.order_by("id").values_list("team__name", "user__username")),
        "units": list(Unit.objects.order_by("name").values_list("name", "category__code", "qr_status")),
    }


def test_the_2021_plan_is_the_demo_campaign(divisions):
    load_demo()

    campaign = Campaign.objects.get()
    assert (campaign.starts_on, campaign.ends_on, campaign.nomination_deadline, campaign.form) == (
        datetime.date(2021, 12, 1), datetime.date(2021, 12, 31), datetime.date(2021, 11, 28),
        Campaign.Form.SURPRISE)
    assert campaign.legal_basis.startswith("Văn bản số 7641/UBND-VX ngày 12/11/2021 của UBND tỉnh")


def test_the_bodies_of_the_team_are_the_dic_divisions_health_and_13_vhtt(divisions):
    load_demo()

    kinds = {kind: Organization.objects.filter(kind=kind).count() for kind in Organization.Kind}
    assert kinds == {"dic_division": 3, "health": 1, "district_vhtt": 13, "other": 0}
    vhtt = Organization.objects.get(kind="district_vhtt", district__code=448)
    assert vhtt.name == "Phòng Văn hóa và Thông tin Huyện Lộc Hà"


def test_sample_units_cover_every_district_and_are_marked_as_sample(divisions):
    load_demo()

    units = Unit.objects.select_related("commune__parent", "category")
    assert units.count() == 66
    assert {unit.commune.parent.code for unit in units} == {
        436, 437, 439, 440, 441, 442, 443, 444, 445, 446, 447, 448, 449}
    assert units.filter(is_sample=False).count() == 0
    assert {unit.category.code for unit in units} == {
        "so_ban_nganh", "co_quan_trung_uong", "ubnd_huyen", "doanh_nghiep_sxkd", "benh_vien_co_so_y_te",
        "cho", "sieu_thi_ttm", "co_so_luu_tru", "nha_hang_quan_an", "truong_hoc", "ben_xe_van_tai"}


def test_demo_accounts_log_in_with_the_published_password_and_hold_their_roles(divisions):
    load_demo()

    roles = {user.username: roles_of(user) for user in User.objects.all()}
    assert roles == {
        "admin": [Role.ADMINISTRATOR],
        "dieuphoi": [Role.COORDINATOR],
        "lanhdao": [Role.LEADERSHIP],
        "vanphong": [Role.OFFICE],
        "totruong": [Role.TEAM_LEADER, Role.INSPECTOR],
        "thanhtra1": [Role.INSPECTOR],
        "thanhtra2": [Role.INSPECTOR],
        # Nominated people who do not sign in to the demo: team 2's leader, Health's and the VHTT representatives
        "totruong2.mau": [Role.TEAM_LEADER, Role.INSPECTOR],
        **{name: [Role.INSPECTOR] for name in ("yte.mau", "vhtt.thanhpho", "vhtt.honglinh",
                                               "vhtt.thachha", "vhtt.canloc", "vhtt.nghixuan", "vhtt.camxuyen")},
    }
    for user in User.objects.exclude(username__in=DEMO_NOMINEES):
        assert user.check_password(DEMO_PASSWORD)
        assert user.password.startswith("argon2$")
    assert not User.objects.get(username="yte.mau").has_usable_password()


def test_the_two_inspectors_are_on_different_teams(divisions):
    load_demo()

    team_of = dict(TeamMembership.objects.values_list("user__username", "team__name"))
    assert team_of == {**dict.fromkeys(["totruong", "thanhtra1", "yte.mau", "vhtt.thanhpho", "vhtt.honglinh",
                                        "vhtt.thachha"], "Tổ kiểm tra số 1"),
                       **dict.fromkeys(["totruong2.mau", "thanhtra2", "vhtt.canloc", "vhtt.nghixuan",
                                        "vhtt.camxuyen"], "Tổ kiểm tra số 2")}
    assert Team.objects.count() == 2


def test_loading_twice_creates_and_changes_nothing(divisions, capsys):
    call_command("load_demo")
    before = snapshot()
    capsys.readouterr()

    call_command("load_demo")

    assert snapshot() == before
    assert capsys.readouterr().out.strip() == (
        "demo data created: organizations 0, campaign 0, users 0, teams 0, units 0, distances 0, nominations 0, "
        "vehicles 0, itineraries 0, visits_worked 0, reports 0")


def test_a_renamed_sample_unit_is_not_created_again(divisions):
    """Issue #11: every `make run` created a renamed demo unit again, found by its name."""
    load_demo()
    market = Unit.objects.get(name="Chợ Phường Trần Phú")
    market.name = "Chợ Trần Phú (đã đổi tên)"
    market.save()

    assert load_demo()["units"] == 0

    assert Unit.objects.count() == 66
    assert Unit.objects.filter(name="Chợ Phường Trần Phú").count() == 0
    assert Unit.objects.get(pk=market.pk).name == "Chợ Trần Phú (đã đổi tên)"


def test_sample_units_of_a_database_loaded_before_the_keys_are_adopted_not_doubled(divisions):
    load_demo()
    Unit.objects.update(sample_key="")

    assert load_demo()["units"] == 0

    assert Unit.objects.exclude(sample_key="").count() == 66


def test_a_demo_password_changed_by_its_user_is_kept(divisions):
    load_demo()
    user = User.objects.get(username="dieuphoi")
    user.set_password("another-password-77")
    user.save()

    load_demo()

    user.refresh_from_db()
    assert user.check_password("another-password-77")


def test_the_schedule_of_december_2021_is_in_the_demo(divisions):
    from inspections.models import Itinerary, Nomination, Target, Visit

    load_demo()

    assert Nomination.objects.count() == 11  # of the 14 bodies asked: the board shows three missing
    strata = set(Unit.objects.filter(is_active=True).values_list("commune__parent", "category"))
    assert Target.objects.filter(draw__seed=2021).count() == len(strata) == 60  # one per district and category
    sent = Itinerary.objects.filter(schedule_sent_at__isnull=False).order_by("date")
    assert [(i.date.isoformat(), sorted(m.user.username for m in i.people.all())) for i in sent][:2] == [
        ("2021-12-07", ["thanhtra1", "totruong", "vhtt.thanhpho", "yte.mau"]),
        ("2021-12-09", ["thanhtra2", "totruong2.mau", "vhtt.canloc"])]
    assert sent.count() == 6
    states = dict(Visit.objects.values_list("unit__name", "status"))
    assert {name: state for name, state in states.items() if state != "approved"} == {
        "Bệnh viện Đa khoa tỉnh Hà Tĩnh": "returned", "UBND Huyện Can Lộc": "submitted",
        "Chợ Thị trấn Nghèn": "in_progress", "Chợ Phường Trần Phú": "planned", "Bến xe khách Hà Tĩnh": "planned"}
    approved = Visit.objects.filter(status="approved")
    assert approved.count() == 11
    assert {visit.conclusion["overall"] for visit in approved} == {"dat", "dat_mot_phan", "chua_dat"}
    assert len({visit.unit.commune.parent_id for visit in approved}) == 5  # the dashboard's districts
    from inspections.models import FollowUp

    follow_up = FollowUp.objects.get(unit__name="Sở Nội vụ tỉnh Hà Tĩnh")
    assert (follow_up.deadline.isoformat(), list(follow_up.steps.values_list("kind", flat=True))
            ) == ("2021-12-20", ["reminder"])
    assert set(FollowUp.objects.values_list("outcome", flat=True)) == {"open", "fixed"}
    thanhtra2 = User.objects.get(username="thanhtra2")
    assert [i.date.isoformat() for i in Itinerary.objects.visible_to(thanhtra2)] == [
        "2021-12-09", "2021-12-13", "2021-12-16"]


def test_the_demo_has_a_draft_report_labelled_sample_data(divisions):
    from reports.models import ProvincialReport
    from reports.provincial import Figures

    load_demo()

    report = ProvincialReport.objects.get()
    assert (report.status, report.is_sample, report.as_of.isoformat()) == ("draft", True, "2021-12-31")
    assert Figures(report.snapshot).total.count == 11
    assert report.strengths.startswith("(Dữ liệu mẫu)")


def test_the_demo_is_set_in_december_2021_throughout(divisions):
    """Issue #13: field work timed inside its scheduled hours, every document dated on the
    campaign's days (never the server's clock), itineraries that keep the plan's team rule,
    the report's stored files dated as issued."""
    from docx import Document
    from openpyxl import load_workbook

    from inspections.models import Answer, Correction, Evidence, FollowUp, Itinerary, ScheduleNotice, Visit
    from inspections.schedule import PlannedVisit, check_itinerary
    from reports.documents import minutes_context, reminder_context, schedule_notice_context
    from reports.models import ProvincialReport
    from reports.provincial_documents import report_context

    load_demo()
    campaign = Campaign.objects.get()
    december = (campaign.starts_on, campaign.ends_on)

    def on_campaign_days(moment) -> bool:
        day = moment if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime) else (
            timezone.localtime(moment, HA_TINH).date())
        return december[0] <= day <= december[1]

    worked = Visit.objects.filter(started_at__isnull=False)
    assert worked.count() == 14
    for visit in worked:
        assert visit.starts_at <= visit.started_at <= visit.ends_at, visit
        assert visit.submitted_at is None or visit.started_at < visit.submitted_at <= visit.ends_at, visit
        assert visit.figures_taken_at is None or visit.starts_at <= visit.figures_taken_at <= visit.ends_at
        assert visit.reviewed_at is None or (visit.reviewed_at > visit.ends_at
                                             and on_campaign_days(visit.reviewed_at)), visit
        minutes = minutes_context(visit)
        assert minutes["header"].day == timezone.localtime(visit.starts_at, HA_TINH).date()
    for model, fields in ((Answer, ["saved_at"]), (Evidence, ["taken_at", "uploaded_at"]), (Correction, ["added_at"]),
                          (ScheduleNotice, ["sent_at"]), (FollowUp, ["closed_at"])):
        for values in model.objects.values_list(*fields):
            assert all(value is None or on_campaign_days(value) for value in values), (model, values)

    itineraries = Itinerary.objects.prefetch_related("people__organization", "visits__unit__commune__parent")
    assert itineraries.count() == 7
    for itinerary in itineraries:
        visits = [PlannedVisit(visit.unit, visit.starts_at, visit.ends_at) for visit in itinerary.visits.all()]
        check = check_itinerary(campaign=campaign, date=itinerary.date, departs_at=itinerary.departs_at,
                                returns_at=itinerary.returns_at, vehicle=itinerary.vehicle,
                                people=list(itinerary.people.all()), visits=visits, itinerary=itinerary)
        assert (check.errors, check.warnings) == ([], []), itinerary
        if itinerary.schedule_sent_at:
            notice = schedule_notice_context(itinerary)["header"].day
            assert on_campaign_days(notice) and notice < itinerary.date
    for follow_up in FollowUp.objects.all():
        assert reminder_context(follow_up)["header"].day == datetime.date(2021, 12, 21)

    report = ProvincialReport.objects.get()
    context = report_context(report)
    assert context["header"].day == report.issued_on == campaign.ends_on
    # the team's make-up as the teams travelled: the Inspectorate leading, Health, the VHTT division of every
    # district with an approved visit (five) or a visit awaiting approval (Can Lộc's are not counted)
    team = next(p for p in context["paragraphs"] if isinstance(p, str) and p.startswith("Thành phần"))
    assert team.startswith("Thành phần: 2 tổ kiểm tra, 11 thành viên, gồm: Thanh tra Sở Thông tin và Truyền thông "
                           "(chủ trì), Phòng Công nghệ thông tin; đại diện Sở Y tế")
    assert team.endswith("đại diện 5 Phòng Văn hóa và Thông tin: Huyện Cẩm Xuyên, Huyện Nghi Xuân, Huyện Thạch Hà, "
                         "Thành phố Hà Tĩnh, Thị xã Hồng Lĩnh."), team
    assert on_campaign_days(report.taken_at) and on_campaign_days(report.created_at)
    assert report.files_ready
    assert report.document.name.startswith("reports/2021/") and "20211231" in report.document.name
    with report.document.open("rb") as file:
        assert Document(file).core_properties.created.date() == campaign.ends_on
    with report.annex.open("rb") as file:
        assert load_workbook(file).properties.created.date() == campaign.ends_on
