"""Review without searching (issue #12, item 8): the team leader's home lists the visits
waiting for review, the members' home the visits returned with the leader's comment, and
each step of the review is told by e-mail to the people it concerns."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from inspections import fieldwork
from tests.inspections.test_fieldwork import answer_all, build


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    world["leader"].email, world["member"].email = "totruong@example.vn", "thanhvien@example.vn"
    world["leader"].save(), world["member"].save()
    return world


def _submit(world, name):
    visit = fieldwork.start_visit(world[name], by=world["member"])
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key=name)
    return visit


def test_the_leader_finds_the_submitted_visits_on_the_home_page_and_is_told_by_mail(client, world,
                                                                                    django_capture_on_commit_callbacks):
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        _submit(world, "market")

    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["totruong@example.vn"], "Lượt kiểm tra đã nộp chờ duyệt: Chợ Nghèn (07/12/2021)")]
    client.force_login(world["leader"])
    home = client.get(reverse("home"))
    assert [visit.unit.name for visit in home.context["to_review"]] == ["Chợ Nghèn"]
    assert "Lượt kiểm tra chờ anh/chị duyệt" in home.content.decode()
    client.force_login(world["member"])
    assert "to_review" not in client.get(reverse("home")).context


def test_a_returned_visit_shows_on_the_members_home_with_the_comment(client, world,
                                                                    django_capture_on_commit_callbacks):
    visit = _submit(world, "market")
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        fieldwork.return_visit(visit, by=world["leader"], comment="Bổ sung ảnh bảng mã QR")

    assert [(message.to, message.body.splitlines()[-1]) for message in mail.outbox] == [
        (["thanhvien@example.vn"], "Nội dung cần sửa: Bổ sung ảnh bảng mã QR")]
    client.force_login(world["member"])
    home = client.get(reverse("home"))
    assert [(v.unit.name, v.review_comment) for v in home.context["returned"]] == [
        ("Chợ Nghèn", "Bổ sung ảnh bảng mã QR")]
    assert "Bổ sung ảnh bảng mã QR" in home.content.decode()
    client.force_login(world["outsider"])
    assert client.get(reverse("home")).context["returned"] == []


def test_approval_tells_the_team(world, django_capture_on_commit_callbacks):
    visit = _submit(world, "committee")
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        fieldwork.approve_visit(visit, by=world["leader"])

    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["thanhvien@example.vn"], "Lượt kiểm tra đã được duyệt: UBND Huyện Can Lộc (07/12/2021)")]
