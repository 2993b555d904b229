"""The demonstration data that `make run` loads: the 2021 plan as a campaign, the
team's bodies, sample units and one account per role.

The plan's own facts (its legal basis, period, form and nomination deadline) are
real. The units' figures, the teams and the people are invented and marked as
sample data (`is_sample`, "(mẫu)" in people's names): never real Hà Tĩnh data.
"""

import datetime
import io
import math

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.roles import Role, group_for
from inspections import fieldwork, vocabulary
from inspections.checklist_2021 import seed_checklist_2021
from inspections.evidence import add_evidence, photos_missing
from inspections.followups import close_follow_up, record_step
from inspections.models import (
    Answer,
    Campaign,
    Correction,
    DistrictDistance,
    Evidence,
    FollowUp,
    Itinerary,
    Nomination,
    Organization,
    ScheduleNotice,
    Target,
    TargetDraw,
    Team,
    TeamMembership,
    Vehicle,
    Visit,
)
from inspections.nominations import record_nomination
from inspections.organizations import seed_organizations
from inspections.schedule import PlannedVisit, save_itinerary, send_schedule
from inspections.targets import DrawParameters, draw_targets
from reports.models import ProvincialReport
from reports.provincial_documents import queue_files
from reports.services import create_report
from units.models import Division, Unit, UnitCategory
from units.text import name_key

DEMO_PASSWORD = "demo12345"  # noqa: S105 (published in the README: sample accounts)

PLAN_2021 = {
    "title": (
        "Kiểm tra việc triển khai hệ thống PC-Covid và quét mã QR phục vụ công tác "
        "phòng, chống dịch COVID-19"
    ),
    "legal_basis": (
        "Văn bản số 7641/UBND-VX ngày 12/11/2021 của UBND tỉnh về việc triển khai đồng bộ "
        "hệ thống PC-Covid và quét mã QR phục vụ phòng, chống dịch COVID-19"
    ),
    "issuing_body": "Sở Thông tin và Truyền thông tỉnh Hà Tĩnh",
    "signer": "KT. Giám đốc — Phó Giám đốc",
    "starts_on": datetime.date(2021, 12, 1),
    "ends_on": datetime.date(2021, 12, 31),
    "form": Campaign.Form.SURPRISE,
    "nomination_deadline": datetime.date(2021, 11, 28),
    "status": Campaign.Status.ACTIVE,
}

# username: (display name, roles, is superuser)
DEMO_ACCOUNTS = {
    "admin": ("Quản trị hệ thống (mẫu)", [Role.ADMINISTRATOR], True),
    "dieuphoi": ("Cán bộ Thanh tra Sở (mẫu)", [Role.COORDINATOR], False),
    "lanhdao": ("Lãnh đạo Sở (mẫu)", [Role.LEADERSHIP], False),
    "vanphong": ("Cán bộ Văn phòng Sở (mẫu)", [Role.OFFICE], False),
    "totruong": ("Tổ trưởng Tổ kiểm tra số 1 (mẫu)", [Role.TEAM_LEADER, Role.INSPECTOR], False),
    "thanhtra1": ("Thành viên Tổ kiểm tra số 1 (mẫu)", [Role.INSPECTOR], False),
    "thanhtra2": ("Thành viên Tổ kiểm tra số 2 (mẫu)", [Role.INSPECTOR], False),
}

# Nominated staff who do not sign in to the demo (no password): the second team's leader
# from the Inspectorate, the Department of Health's representative of team 1 (team 2's is
# the account thanhtra2) and the VHTT representative of every district the teams visit. username: (name, roles)
DEMO_NOMINEES = {
    "totruong2.mau": ("Tổ trưởng Tổ kiểm tra số 2 (mẫu)", [Role.TEAM_LEADER, Role.INSPECTOR]),
    "yte.mau": ("Đại diện Sở Y tế (mẫu)", [Role.INSPECTOR]),
    "vhtt.thanhpho": ("Đại diện Phòng VHTT Thành phố Hà Tĩnh (mẫu)", [Role.INSPECTOR]),
    "vhtt.honglinh": ("Đại diện Phòng VHTT Thị xã Hồng Lĩnh (mẫu)", [Role.INSPECTOR]),
    "vhtt.thachha": ("Đại diện Phòng VHTT Huyện Thạch Hà (mẫu)", [Role.INSPECTOR]),
    "vhtt.canloc": ("Đại diện Phòng VHTT Huyện Can Lộc (mẫu)", [Role.INSPECTOR]),
    "vhtt.nghixuan": ("Đại diện Phòng VHTT Huyện Nghi Xuân (mẫu)", [Role.INSPECTOR]),
    "vhtt.camxuyen": ("Đại diện Phòng VHTT Huyện Cẩm Xuyên (mẫu)", [Role.INSPECTOR]),
}

# team name: [(username, position, organisation short name or district code for a VHTT)].
# Plan II.3 and III.1: the Inspectorate leads with the IT Division, the Department of Health
# and the VHTT division of each district visited take part; an itinerary takes the team's
# DIC and Health members and the VHTT representatives of the districts it visits.
DEMO_TEAMS = {
    "Tổ kiểm tra số 1": [("totruong", TeamMembership.Position.LEADER, "Thanh tra Sở"),
                         ("thanhtra1", TeamMembership.Position.MEMBER, "Phòng CNTT"),
                         ("yte.mau", TeamMembership.Position.MEMBER, "Sở Y tế"),
                         ("vhtt.thanhpho", TeamMembership.Position.MEMBER, 436),
                         ("vhtt.honglinh", TeamMembership.Position.MEMBER, 437),
                         ("vhtt.thachha", TeamMembership.Position.MEMBER, 445)],
    "Tổ kiểm tra số 2": [("totruong2.mau", TeamMembership.Position.LEADER, "Thanh tra Sở"),
                         ("thanhtra2", TeamMembership.Position.MEMBER, "Sở Y tế"),
                         ("vhtt.canloc", TeamMembership.Position.MEMBER, 443),
                         ("vhtt.nghixuan", TeamMembership.Position.MEMBER, 442),
                         ("vhtt.camxuyen", TeamMembership.Position.MEMBER, 446)],
}

VEHICLES = [("38A-000.01 (mẫu)", 6, "Lái xe số 1 (mẫu)"), ("38A-000.02 (mẫu)", 4, "Lái xe số 2 (mẫu)")]

# Bodies that sent their letter, and when: the others have not yet (the board shows them).
NOMINATIONS = {"Sở Y tế": datetime.date(2021, 11, 25), 436: datetime.date(2021, 11, 24),
               437: datetime.date(2021, 11, 26), 439: datetime.date(2021, 11, 26), 440: datetime.date(2021, 11, 27),
               442: datetime.date(2021, 11, 27), 443: datetime.date(2021, 11, 25), 444: datetime.date(2021, 11, 29),
               445: datetime.date(2021, 11, 28), 446: datetime.date(2021, 11, 26), 448: datetime.date(2021, 11, 30)}

# (day, departure, return, team, vehicle index, [(unit name, start, end)], sent)
ITINERARIES = [
    (datetime.date(2021, 12, 7), (7, 30), (11, 30), "Tổ kiểm tra số 1", 0,
     [("Sở Nội vụ tỉnh Hà Tĩnh", (8, 0), (9, 15)), ("Bệnh viện Đa khoa tỉnh Hà Tĩnh", (9, 45), (11, 0))], True),
    (datetime.date(2021, 12, 9), (7, 0), (11, 45), "Tổ kiểm tra số 2", 1,
     [("UBND Huyện Can Lộc", (8, 0), (9, 30)), ("Chợ Thị trấn Nghèn", (10, 0), (11, 15))], True),
    (datetime.date(2021, 12, 14), (7, 30), (11, 30), "Tổ kiểm tra số 1", 0,
     [("Chợ Phường Trần Phú", (8, 0), (9, 0)), ("Bến xe khách Hà Tĩnh", (9, 30), (10, 30))], False),
    (datetime.date(2021, 12, 10), (7, 0), (12, 0), "Tổ kiểm tra số 1", 0,
     [("UBND Thị xã Hồng Lĩnh", (8, 0), (9, 0)), ("Chợ Phường Bắc Hồng", (9, 30), (10, 30)),
      ("Trung tâm Y tế Thị xã Hồng Lĩnh", (10, 45), (11, 30))], True),
    (datetime.date(2021, 12, 13), (7, 0), (12, 0), "Tổ kiểm tra số 2", 1,
     [("UBND Huyện Nghi Xuân", (8, 0), (9, 0)), ("Chợ Thị trấn Xuân An", (9, 30), (10, 30)),
      ("Trường Trung học cơ sở Thị trấn Xuân An", (10, 45), (11, 30))], True),
    (datetime.date(2021, 12, 15), (7, 30), (11, 30), "Tổ kiểm tra số 1", 0,
     [("UBND Huyện Thạch Hà", (8, 0), (9, 0)), ("Trung tâm Y tế Huyện Thạch Hà", (9, 30), (10, 45))], True),
    (datetime.date(2021, 12, 16), (7, 0), (11, 30), "Tổ kiểm tra số 2", 1,
     [("UBND Huyện Cẩm Xuyên", (8, 0), (9, 0)), ("Chợ Thị trấn Cẩm Xuyên", (9, 30), (10, 30))], True),
]

PROVINCIAL_UNITS = [
    # (name, category code, commune code): all in Thành phố Hà Tĩnh.
    ("Sở Nội vụ tỉnh Hà Tĩnh", "so_ban_nganh", 18070),
    ("Sở Tư pháp tỉnh Hà Tĩnh", "so_ban_nganh", 18070),
    ("Sở Kế hoạch và Đầu tư tỉnh Hà Tĩnh", "so_ban_nganh", 18070),
    ("Sở Giáo dục và Đào tạo tỉnh Hà Tĩnh", "so_ban_nganh", 18070),
    ("Cục Thuế tỉnh Hà Tĩnh", "co_quan_trung_uong", 18070),
    ("Kho bạc Nhà nước Hà Tĩnh", "co_quan_trung_uong", 18070),
    ("Bảo hiểm xã hội tỉnh Hà Tĩnh", "co_quan_trung_uong", 18070),
    ("Bệnh viện Đa khoa tỉnh Hà Tĩnh", "benh_vien_co_so_y_te", 18070),
    ("Bến xe khách Hà Tĩnh", "ben_xe_van_tai", 18070),
    ("Siêu thị trung tâm Hà Tĩnh", "sieu_thi_ttm", 18070),
    # Invented establishments: "(mẫu)" so that none is taken for a real business.
    ("Công ty TNHH May mặc Hồng Lĩnh (mẫu)", "doanh_nghiep_sxkd", 18115),
    ("Xưởng chế biến hải sản Nghi Xuân (mẫu)", "doanh_nghiep_sxkd", 18352),
    ("Khách sạn Biển Xanh (mẫu)", "co_so_luu_tru", 18070),
    ("Nhà hàng Sông La (mẫu)", "nha_hang_quan_an", 18229),
]
# Per district: the People's Committee, a market, a health centre and a school
# at the district seat.
DISTRICT_SEATS = {
    436: 18070, 437: 18115, 439: 18133, 440: 18229, 441: 18313, 442: 18352, 443: 18406,
    444: 18496, 445: 18562, 446: 18673, 447: 18757, 448: 18409, 449: 18754,
}
# Approximate positions (latitude, longitude) of the 13 district seats, read off a map
# for the demonstration only: the road distances seeded from them (1.3 × the straight
# line) are estimates marked as sample data, for the coordinator to correct.
APPROXIMATE_DISTRICT_SEATS = {
    436: (18.34, 105.90), 437: (18.53, 105.71), 439: (18.51, 105.43), 440: (18.53, 105.58),
    441: (18.39, 105.47), 442: (18.63, 105.76), 443: (18.45, 105.77), 444: (18.18, 105.70),
    445: (18.36, 105.86), 446: (18.25, 106.00), 447: (18.08, 106.25), 448: (18.47, 105.88),
    449: (18.07, 106.30),
}
ROAD_FACTOR = 1.3
DEMO_TZ = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Ho_Chi_Minh: the demo's clock


def approximate_km(first: int, second: int) -> int:
    """Road km between two district seats of `APPROXIMATE_DISTRICT_SEATS`, estimated."""
    (lat1, lon1), (lat2, lon2) = APPROXIMATE_DISTRICT_SEATS[first], APPROXIMATE_DISTRICT_SEATS[second]
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return max(1, round(ROAD_FACTOR * 6371 * math.hypot(x, y)))


def seed_district_distances() -> int:
    """The approximate table between the 13 districts, once (rows already there are
    kept: the coordinator may have corrected them). Returns the rows created."""
    districts = {d.code: d for d in Division.objects.filter(level=Division.Level.DISTRICT,
                                                            code__in=APPROXIMATE_DISTRICT_SEATS)}
    codes = sorted(districts)
    created = 0
    for index, first in enumerate(codes):
        for second in codes[index + 1:]:
            _row, was_created = DistrictDistance.objects.get_or_create(
                origin=districts[first], destination=districts[second],
                defaults={"km": approximate_km(first, second), "is_sample": True})
            created += was_created
    return created


QR_STATUSES = [Unit.QRStatus.POSTED, Unit.QRStatus.CREATED, Unit.QRStatus.NONE]


def _sample_units():
    districts = {d.code: d for d in Division.objects.filter(
        level=Division.Level.DISTRICT, code__in=DISTRICT_SEATS.keys())}
    communes = {d.code: d for d in Division.objects.filter(
        level=Division.Level.COMMUNE, code__in=DISTRICT_SEATS.values())}
    yield from PROVINCIAL_UNITS
    for district_code, commune_code in DISTRICT_SEATS.items():
        district, seat = districts[district_code].name, communes[commune_code].name
        yield f"UBND {district}", "ubnd_huyen", commune_code
        yield f"Trung tâm Y tế {district}", "benh_vien_co_so_y_te", commune_code
        yield f"Chợ {seat}", "cho", commune_code
        yield f"Trường Trung học cơ sở {seat}", "truong_hoc", commune_code


def sample_key(name: str) -> str:
    """The demo's own name for one of its units: its name as the demo wrote it, folded."""
    return name_key(name)


def _load_sample_units() -> int:
    """Create the sample units the database lacks, found by their sample key, so that a
    unit renamed by someone trying the demo is not created again. A sample unit of a
    database loaded before the keys existed is adopted by its name. Returns the number
    created."""
    categories = {category.code: category for category in UnitCategory.objects.all()}
    communes = {d.code: d for d in Division.objects.filter(level=Division.Level.COMMUNE)}
    existing = set(Unit.objects.filter(is_sample=True).exclude(sample_key="").values_list("sample_key", flat=True))
    created = 0
    for index, (name, category, commune) in enumerate(_sample_units()):
        key = sample_key(name)
        if key in existing:
            continue
        if Unit.objects.filter(is_sample=True, sample_key="", name=name, commune=communes[commune]).update(
                sample_key=key):
            continue
        Unit.objects.create(name=name, commune=communes[commune], category=categories[category],
                            qr_status=QR_STATUSES[index % len(QR_STATUSES)], is_sample=True, sample_key=key)
        created += 1
    return created


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load the demonstration data; a second run creates and changes nothing.

    Needs the Hà Tĩnh divisions (`load_divisions`). Side effects: organisations,
    the 2021 campaign with two sample teams, sample units, the demo accounts (their
    password is set only when the account is created). Returns counts created.
    """
    created = {"organizations": seed_organizations()}

    checklist = seed_checklist_2021()
    campaign, campaign_created = Campaign.objects.get_or_create(
        legal_basis=PLAN_2021["legal_basis"], defaults={**PLAN_2021, "checklist": checklist}
    )
    if campaign.checklist_id is None:
        campaign.checklist = checklist
        campaign.save(update_fields=["checklist"])
    created["campaign"] = int(campaign_created)

    users = {}
    created["users"] = 0
    User = get_user_model()
    for username, (full_name, roles, is_superuser) in DEMO_ACCOUNTS.items():
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": full_name, "is_superuser": is_superuser, "is_staff": is_superuser,
                      "email": f"{username}@example.invalid"},
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.set([group_for(role) for role in roles])
        users[username] = user
        created["users"] += was_created

    for username, (full_name, roles) in DEMO_NOMINEES.items():
        user, was_created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "email": f"{username}@example.invalid"})
        if was_created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.set([group_for(role) for role in roles])
        users[username] = user

    organizations = {org.short_name: org for org in Organization.objects.exclude(
        kind=Organization.Kind.DISTRICT_VHTT)}
    organizations.update({org.district.code: org for org in Organization.objects.filter(
        kind=Organization.Kind.DISTRICT_VHTT).select_related("district")})
    created["teams"] = 0
    for team_name, members in DEMO_TEAMS.items():
        team, was_created = Team.objects.get_or_create(campaign=campaign, name=team_name)
        created["teams"] += was_created
        for username, position, organization in members:
            TeamMembership.objects.get_or_create(
                team=team, user=users[username],
                defaults={"position": position, "organization": organizations[organization]},
            )

    created["units"] = _load_sample_units()
    created["distances"] = seed_district_distances()
    created.update(_load_schedule(campaign, users, organizations))
    return created


def _load_schedule(campaign, users, organizations) -> dict[str, int]:
    """Nominations from most bodies, vehicles, a recorded draw of targets and three
    itineraries of December 2021 (two sent to their people, one still a draft)."""
    coordinator = users["dieuphoi"]
    created = {"nominations": 0, "vehicles": 0, "itineraries": 0}
    for body, received_on in NOMINATIONS.items():
        organization = organizations[body]
        if not Nomination.objects.filter(campaign=campaign, organization=organization).exists():
            record_nomination(campaign=campaign, organization=organization, letter_number="(mẫu)", letter_date=None,
                              received_on=received_on, by=coordinator,
                              nominees=[{"full_name": f"Cán bộ {organization.short_name} (mẫu)", "title": "",
                                         "phone": "", "email": ""}])
            created["nominations"] += 1
    vehicles = []
    for plate, seats, driver in VEHICLES:
        vehicle, was_created = Vehicle.objects.get_or_create(plate=plate, defaults={"seats": seats,
                                                                                    "driver_name": driver})
        vehicles.append(vehicle)
        created["vehicles"] += was_created
    tz = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Ho_Chi_Minh
    if not campaign.draws.exists():
        draw_targets(campaign=campaign, seed=2021, parameters=DrawParameters(per_stratum=1), by=coordinator,
                     units=Unit.objects.filter(is_sample=True, is_active=True))
        drawn = datetime.datetime.combine(campaign.starts_on, datetime.time(8), tzinfo=tz)
        TargetDraw.objects.filter(campaign=campaign).update(created_at=drawn)
        Target.objects.filter(draw__campaign=campaign).update(added_at=drawn)
    for day, departs, returns, team_name, vehicle, stops, sent in ITINERARIES:
        if Itinerary.objects.filter(campaign=campaign, date=day).exists():
            continue
        visits = [PlannedVisit(Unit.objects.select_related("commune").get(sample_key=sample_key(name), is_sample=True),
                               datetime.datetime.combine(day, datetime.time(*start), tzinfo=tz),
                               datetime.datetime.combine(day, datetime.time(*end), tzinfo=tz))
                  for name, start, end in stops]
        districts = {visit.unit.commune.parent_id for visit in visits}
        people = TeamMembership.objects.filter(team__campaign=campaign, team__name=team_name).exclude(
            organization__kind=Organization.Kind.DISTRICT_VHTT).union(TeamMembership.objects.filter(
                team__campaign=campaign, team__name=team_name, organization__district__in=districts))
        # The plan's team rule holds: the demo confirms no warning (a broken rule stops it).
        itinerary, check = save_itinerary(
            campaign=campaign, date=day, departs_at=datetime.time(*departs), returns_at=datetime.time(*returns),
            vehicle=vehicles[vehicle], people=list(people), visits=visits, by=coordinator)
        if itinerary is None:
            raise RuntimeError(f"demo itinerary of {day} breaks a rule: {check.errors + check.warnings}")
        if sent:
            send_schedule(itinerary, by=coordinator)
            # Told to its people the afternoon before (the confidential schedule: plan III.1).
            told = datetime.datetime.combine(day - datetime.timedelta(days=1), datetime.time(16), tzinfo=tz)
            Itinerary.objects.filter(pk=itinerary.pk).update(schedule_sent_at=told)
            ScheduleNotice.objects.filter(itinerary=itinerary).update(sent_at=told)
        created["itineraries"] += 1
    created["visits_worked"] = _work_visits(campaign, users)
    created["reports"] = _draft_report(campaign, coordinator)
    return created


def _draft_report(campaign, coordinator) -> int:
    """A draft of the report to the People's Committee, as of the end of the period (once)."""
    if campaign.reports.exists():
        for report in campaign.reports.all():
            if not report.files_ready:  # e.g. a report drafted before its files were stored
                queue_files(report)
        return 0
    # Issued on the campaign's last day: its date and its stored files say so, not the server's clock.
    report = create_report(
        campaign, as_of=campaign.ends_on, by=coordinator, is_sample=True, issued_on=campaign.ends_on,
        strengths="(Dữ liệu mẫu) Phần lớn cơ quan, đơn vị được kiểm tra đã tạo và niêm yết mã QR địa điểm.",
        shortcomings="(Dữ liệu mẫu) Một số chợ chưa bố trí người hướng dẫn quét mã QR.",
        causes="(Dữ liệu mẫu) Người đứng đầu một số đơn vị chưa quan tâm chỉ đạo.")
    taken = datetime.datetime.combine(campaign.ends_on, datetime.time(15), tzinfo=DEMO_TZ)
    ProvincialReport.objects.filter(pk=report.pk).update(taken_at=taken, created_at=taken)
    return 1


# Sample field work, so that every state of a visit shows: (unit, answers that differ
# from "yes"/80 %, the final state). The answers are invented: sample data.
FIELD_WORK = [
    ("Sở Nội vụ tỉnh Hà Tĩnh", {"a3": "45"}, "approved"),
    ("Bệnh viện Đa khoa tỉnh Hà Tĩnh", {"b2": "no", "b4": "no"}, "returned"),
    ("UBND Huyện Can Lộc", {"c2": "no", "a3": "45"}, "submitted"),
    ("Chợ Thị trấn Nghèn", {"b1": "no", "b2": "no", "b3": "yes"}, "in_progress"),
    ("UBND Thị xã Hồng Lĩnh", {}, "approved"),
    ("Chợ Phường Bắc Hồng", {"a2": "no", "a3": "30", "b1": "no", "b2": "no", "b3": "yes", "b4": "no", "b6": "3"},
     "approved"),
    ("Trung tâm Y tế Thị xã Hồng Lĩnh", {"b4": "no"}, "approved"),
    ("UBND Huyện Nghi Xuân", {"c2": "no"}, "approved"),
    ("Chợ Thị trấn Xuân An", {}, "approved"),
    ("Trường Trung học cơ sở Thị trấn Xuân An", {"a3": "45"}, "approved"),
    ("UBND Huyện Thạch Hà", {}, "approved"),
    ("Trung tâm Y tế Huyện Thạch Hà", {"b1": "no", "b2": "no"}, "approved"),
    ("UBND Huyện Cẩm Xuyên", {"a3": "30", "c2": "no"}, "approved"),
    ("Chợ Thị trấn Cẩm Xuyên", {}, "approved"),
]
# The follow-up the demo shows as closed: the unit fixed what it was asked to.
FIXED_FOLLOW_UP = "Trung tâm Y tế Thị xã Hồng Lĩnh"


def _sample_photo(code):
    """A drawn placeholder, not a photo of a real place: the demo's evidence."""
    image = Image.new("RGB", (1200, 900), (222, 226, 230))
    ImageDraw.Draw(image).text((40, 40), f"ANH MAU - {code}", fill=(33, 37, 41))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return SimpleUploadedFile(f"anh-mau-{code}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _work_visits(campaign, users) -> int:
    """Start, answer, submit and review the demo's visits (once)."""
    worked = 0
    for unit_name, answers, state in FIELD_WORK:
        visit = Visit.objects.filter(campaign=campaign, unit__sample_key=sample_key(unit_name),
                                     unit__is_sample=True).first()
        if visit is None or visit.status != Visit.Status.SCHEDULED:
            continue
        member = visit.itinerary.people.exclude(position=TeamMembership.Position.LEADER).order_by("id").first().user
        leader = users["totruong"] if visit.itinerary.people.filter(user=users["totruong"]).exists() else users[
            "dieuphoi"]
        visit = fieldwork.start_visit(visit, by=member)
        for item in vocabulary.applicable_items(visit):
            default = {"yes_no": "yes", "percentage": "80", "number": "15"}.get(item.kind)
            raw = answers.get(item.code, "no" if item.code == "b3" else default)
            if raw is not None:
                fieldwork.save_answer(visit, item=item, raw=raw, by=member)
        for code in photos_missing(visit):
            item = vocabulary.applicable_items(visit).get(code=code)
            add_evidence(visit, uploaded_file=_sample_photo(code), item=item, note="Ảnh mẫu (dữ liệu mẫu)", by=member)
        if state == "approved" and answers:  # a visit that falls short asks for corrections
            fieldwork.require_correction(
                visit, description="Tuyên truyền, hướng dẫn cán bộ, nhân viên cài đặt PC-Covid (dữ liệu mẫu)",
                deadline=datetime.date(2021, 12, 20), by=member)
        if state == "approved":  # the unit's figures, invented: sample data
            staff = 20 + 7 * worked
            fieldwork.record_figures(visit, figures={
                "staff_total": staff, "staff_with_app": staff - 3 * len(answers), "qr_codes": 1 + worked % 3,
                "scans_last_7_days": 40 * (worked + 1), "portal_accounts": 1}, taken_at=visit.started_at, by=member)
        if state != "in_progress":
            fieldwork.save_statement(visit, by=member,
                                     unit_statement="Đơn vị nhất trí với kết quả kiểm tra (dữ liệu mẫu).")
            fieldwork.submit_visit(visit, by=member, key=f"demo-{visit.pk}")
        if state == "approved":
            fieldwork.approve_visit(visit, by=leader)
            for follow_up in FollowUp.objects.filter(correction__visit=visit):
                record_step(follow_up, kind="reminder", date=datetime.date(2021, 12, 21),
                            by=users["dieuphoi"], evidence="Văn bản nhắc nhở (dữ liệu mẫu)")
                if unit_name == FIXED_FOLLOW_UP:
                    close_follow_up(follow_up, outcome=FollowUp.Outcome.FIXED, by=users["dieuphoi"])
                    FollowUp.objects.filter(pk=follow_up.pk).update(closed_at=datetime.datetime(
                        2021, 12, 22, 9, 0, tzinfo=DEMO_TZ))
        elif state == "returned":
            fieldwork.return_visit(visit, by=leader, comment="Bổ sung ảnh vị trí niêm yết mã QR (dữ liệu mẫu).")
        _on_the_visit_clock(visit)
        worked += 1
    return worked


def _on_the_visit_clock(visit) -> None:
    """The demo's field work happened on its day, not when the demo was loaded: started five
    minutes into the visit's scheduled time, answered, photographed and submitted inside it,
    reviewed by the leader that afternoon."""
    visit = Visit.objects.get(pk=visit.pk)
    started = visit.starts_at + datetime.timedelta(minutes=5)
    submitted = visit.ends_at - datetime.timedelta(minutes=5)
    reviewed = datetime.datetime.combine(timezone.localtime(visit.starts_at, DEMO_TZ).date(), datetime.time(16, 30),
                                         tzinfo=DEMO_TZ)
    Visit.objects.filter(pk=visit.pk).update(
        started_at=started, figures_taken_at=started if visit.figures_taken_at else None,
        submitted_at=submitted if visit.submitted_at else None, reviewed_at=reviewed if visit.reviewed_at else None)
    during = started + (submitted - started) / 2
    Answer.objects.filter(visit=visit).update(saved_at=during)
    Evidence.objects.filter(visit=visit).update(taken_at=during, uploaded_at=during)
    Correction.objects.filter(visit=visit).update(added_at=during)
