"""The report page's "data changed?" in constant time: the campaign's data version, bumped by
the database in the same transaction as each change a snapshot depends on, says the same as
taking the snapshot again and comparing fingerprints — after each kind of change, through the
services and straight through the ORM."""

import datetime

import pytest

from inspections import fieldwork, followups, schedule
from inspections.models import ChecklistItem, FollowUp, FollowUpStep, TeamMembership, Visit
from reports import provincial, services
from reports.models import DataVersion
from tests.factories import make_campaign, make_unit, make_visit
from tests.reports.test_provincial import MID_DECEMBER, world  # noqa: F401 (the fixture)


def _fresh(report, user) -> bool:
    """The slow truth: the snapshot taken again differs from the report's."""
    return provincial.fingerprint(provincial.take_snapshot(report.campaign, report.as_of, user)) != report.fingerprint


def _amend(data, coordinator):
    item = ChecklistItem.objects.get(section__template=data["campaign"].checklist, code="b4")
    fieldwork.amend_answer(data["market_visit"], item=item, raw="yes", reason="Nhập nhầm", by=data["leader"])


def _answer_by_update(data, coordinator):
    """An answer the report states (b2: the QR board posted) changed without the visit's row."""
    from inspections.models import Answer

    assert Answer.objects.filter(visit=data["market_visit"], item__code="b2").update(value="na") == 1


def _cancel_pending(data, coordinator):
    pending = Visit.objects.get(campaign=data["campaign"], status=Visit.Status.IN_PROGRESS)
    schedule.cancel_visit(pending, reason="Đơn vị tạm dừng hoạt động", by=coordinator)


def _step(data, coordinator):
    follow_up = FollowUp.objects.get(correction__visit=data["market_visit"])
    followups.record_step(follow_up, kind=FollowUpStep.Kind.REMINDER, date=datetime.date(2021, 12, 16), by=coordinator)


def _close(data, coordinator):
    follow_up = FollowUp.objects.get(correction__visit=data["market_visit"])
    followups.close_follow_up(follow_up, outcome=FollowUp.Outcome.FIXED, by=coordinator)


def _rename_unit(data, coordinator):
    unit = data["school"].unit
    unit.name = "Trường THCS Lê Văn Thiêm (đổi tên)"
    unit.save()


def _conclusion_by_update(data, coordinator):
    Visit.objects.filter(pk=data["school"].pk).update(conclusion={"overall": "dat"})


def _new_approved_visit(data, coordinator):
    make_visit(data["campaign"], make_unit("Chợ Nghèn", commune=18406), day=datetime.date(2021, 12, 11),
               conclusion={"overall": "dat"})


def _team_member(data, coordinator):
    membership = TeamMembership.objects.filter(team__campaign=data["campaign"]).first()
    membership.delete()


def _campaign_title(data, coordinator):
    campaign = data["campaign"]
    campaign.title = "Kiểm tra việc triển khai PC-Covid và Sổ sức khỏe điện tử"
    campaign.save()


CHANGES = [_amend, _answer_by_update, _cancel_pending, _step, _close, _rename_unit, _conclusion_by_update,
           _new_approved_visit, _team_member, _campaign_title]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__.strip("_") for change in CHANGES])
def test_each_change_the_snapshot_depends_on_reads_as_changed(world, coordinator, change):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    assert not provincial.changed_since(report, coordinator)
    change(world, coordinator)
    assert _fresh(report, coordinator)  # the change is one the snapshot shows…
    assert provincial.changed_since(report, coordinator)  # …and the version says so
    report = services.retake(report, by=coordinator)
    assert not provincial.changed_since(report, coordinator) and not _fresh(report, coordinator)


def _figures_in_the_field(data, coordinator):
    pending = Visit.objects.get(campaign=data["campaign"], status=Visit.Status.IN_PROGRESS)
    Visit.objects.filter(pk=pending.pk).update(staff_total=40, staff_with_app=30)


def _phone(data, coordinator):
    unit = data["school"].unit
    unit.phone = "0912345678"
    unit.save()


def _planned_visit(data, coordinator):
    make_visit(data["campaign"], make_unit("Chợ Tùng Lộc", commune=18406), day=datetime.date(2021, 12, 12),
               conclusion={}, status=Visit.Status.PLANNED)


def _other_campaign(data, coordinator):
    other = make_campaign(title="Một kế hoạch khác")
    make_visit(other, data["school"].unit, day=datetime.date(2021, 12, 3), conclusion={"overall": "dat"})


UNRELATED = [_figures_in_the_field, _phone, _planned_visit, _other_campaign]


@pytest.mark.parametrize("change", UNRELATED, ids=[change.__name__.strip("_") for change in UNRELATED])
def test_changes_the_snapshot_does_not_show_leave_the_report_unchanged(world, coordinator, change):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    change(world, coordinator)
    assert not _fresh(report, coordinator)
    assert not provincial.changed_since(report, coordinator)


def test_the_version_is_read_in_one_query_whatever_the_size(world, coordinator,  # noqa: F811
                                                            django_assert_num_queries):
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    assert report.data_version == DataVersion.of(world["campaign"].pk) > 0
    with django_assert_num_queries(1):
        assert not provincial.changed_since(report, coordinator)


def test_a_report_taken_before_versions_existed_compares_fingerprints(world, coordinator):  # noqa: F811
    report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    report.data_version = None
    assert not provincial.changed_since(report, coordinator)
    _conclusion_by_update(world, coordinator)
    assert provincial.changed_since(report, coordinator)
