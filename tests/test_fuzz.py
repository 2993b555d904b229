"""Bad input never crashes and never changes a row (issue 11, "bad input" and "empty POSTs").

Every URL of the product (the admin excepted: Django's own) is posted, as the role that may
use it, an empty body and bodies where every field the product knows carries an attack:
NUL and control characters, 100 kB strings, NaN, infinity, 1e400, 30-digit numbers, ids
that are not numbers or do not exist. No answer is a 500, and the rows that matter
(visits, answers, targets, reports, units, follow-ups and the records around them) are
byte for byte what they were. A new URL fails `test_every_url_is_fuzzed` until it is
given a target here.
"""

import datetime

import pytest
from django import forms
from django.db import connection, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from inspections import fieldwork
from inspections import forms as inspection_forms
from inspections.models import (
    Answer,
    ChecklistItem,
    Correction,
    Evidence,
    FollowUp,
    Itinerary,
    Nomination,
    Nominee,
    Team,
    Visit,
)
from reports import forms as report_forms
from reports import services as report_services
from tests.factories import make_organization, make_unit, make_user, make_visit
from tests.inspections.test_fieldwork import DAY, answer_all, build
from units import forms as unit_forms
from units.models import ImportBatch, ImportRow
from webhooks import forms as webhook_forms
from webhooks import services as webhook_services

# The tables whose rows must not change: the record of the campaign. Not among them:
# view logs and read notices (reading leaves its trace), sessions, the raw export's job
# (asking for one is an action without input).
TABLES = [
    "inspections_visit", "inspections_answer", "inspections_target", "reports_provincialreport", "units_unit",
    "inspections_followup", "inspections_followupstep", "inspections_correction", "inspections_evidence",
    "inspections_nomination", "inspections_nominee", "inspections_itinerary", "inspections_teammembership",
    "inspections_targetdraw", "inspections_vehicle", "inspections_campaign", "units_importbatch",
    "units_categorysynonym",
    "inspections_checklisttemplate", "inspections_checklistsection", "inspections_checklistitem",
    "webhooks_subscription", "webhooks_delivery",
    "inspections_signature", "inspections_qrscan",
]

TEXT, NUMBER, ID = "text", "number", "id"


def _kind(field) -> str | None:
    if isinstance(field, forms.ModelChoiceField | forms.TypedChoiceField):
        return ID
    if isinstance(field, forms.IntegerField):  # DecimalField and FloatField too
        return NUMBER
    if isinstance(field, forms.FileField):
        return None
    return TEXT  # texts, dates, times, choices, check boxes


def known_fields() -> dict[str, str]:
    """Every field name the product's forms and views read, with its kind."""
    names = {}
    for module in (inspection_forms, report_forms, unit_forms, webhook_forms):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                for name, field in value.base_fields.items():
                    if (kind := _kind(field)) is not None:
                        names[name] = kind
    for prefix, form in (("visits", inspection_forms.VisitLineForm), ("nominees", inspection_forms.NomineeForm)):
        for name, field in form.base_fields.items():
            names[f"{prefix}-0-{name}"] = _kind(field)
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            names[f"{prefix}-{name}"] = NUMBER
    # What views read from request.POST themselves, and the log-in and language forms.
    names.update({"value": NUMBER, "note": TEXT, "reason": TEXT, "comment": TEXT, "key": TEXT, "decision": TEXT,
                  "cancel": TEXT, "outcome": TEXT, "item": ID, "nominee": ID, "campaign": ID, "confirm_count": NUMBER,
                  "username": TEXT, "password": TEXT, "language": TEXT, "next": TEXT, "new_password1": TEXT,
                  "new_password2": TEXT, **{f"conclusion_{code}": TEXT for code in ("a", "b", "c", "overall")}})
    return names


FIELDS = known_fields()
CONTROL = "x\x00\x01\x08\x0b\x0c\x1b\x7f\x85y"
# payload name → (attack value, the kinds of field that carry it)
PAYLOADS = {
    "empty": (None, ()),
    "control": (CONTROL, (TEXT, NUMBER)),
    "100kB": ("x" * 100_000, (TEXT, NUMBER)),
    "NaN": ("NaN", (NUMBER,)),
    "inf": ("inf", (NUMBER,)),
    "1e400": ("1e400", (NUMBER,)),
    "30 digits": ("9" * 30, (NUMBER, ID)),
    "abc ids": ("abc", (ID,)),
    "unknown ids": ("999999", (ID,)),
}


def body(payload: str, valid_ids: dict) -> dict:
    """The attack: each field of the payload's kinds carries it; the ids a URL needs to
    reach its service keep their valid value unless ids are what is attacked."""
    value, kinds = PAYLOADS[payload]
    data = {name: value for name, kind in FIELDS.items() if kind in kinds}
    if ID not in kinds:
        data.update(valid_ids)
    return data


def product_urls(resolver=None, namespace="") -> dict:
    """Every named URL pattern, namespaced, outside the admin and the API (the API is
    fuzzed against its own schema: tests/api/test_schema.py)."""
    found = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace not in ("admin", "api"):
                found.update(product_urls(pattern, f"{pattern.namespace}:" if pattern.namespace else namespace))
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[f"{namespace}{pattern.name}"] = pattern
    return found


# URL name → (who posts, its arguments from the world, the valid ids its form needs).
# Actions that take no input are posted to an object where they are refused (a started
# visit is not started again, an approved report not retaken, an itinerary without a
# vehicle not confirmed, a handled portal row not accepted again).
TARGETS = {
    "home": ("coordinator", {}, {}),
    "login": ("anonymous", {}, {}),
    "logout": ("member", {}, {}),
    "password_reset_confirm": ("anonymous", {"uidb64": "abc", "token": "abc"}, {}),
    "password_reset_complete": ("anonymous", {}, {}),
    "password_reset": ("anonymous", {}, {}),
    "password_reset_done": ("anonymous", {}, {}),
    "set_language": ("anonymous", {}, {}),
    "healthz": ("anonymous", {}, {}),
    "service_worker": ("anonymous", {}, {}),
    "manifest": ("anonymous", {}, {}),
    "offline": ("anonymous", {}, {}),
    "units:unit_list": ("coordinator", {}, {}),
    "units:unit_create": ("coordinator", {}, {}),
    "units:unit_export": ("coordinator", {}, {}),
    "units:unit_detail": ("coordinator", {"pk": "unit"}, {}),
    "units:unit_edit": ("coordinator", {"pk": "unit"}, {}),
    "units:import_upload": ("coordinator", {}, {}),
    "units:import_template": ("coordinator", {}, {}),
    "units:import_detail": ("coordinator", {"pk": "import"}, {}),
    "units:import_confirm": ("coordinator", {"pk": "import"}, {}),
    "units:import_error_report": ("coordinator", {"pk": "import"}, {}),
    "units:import_retry": ("coordinator", {"pk": "import"}, {}),
    "units:reconcile_upload": ("coordinator", {}, {}),
    "units:reconcile_detail": ("coordinator", {"pk": "portal"}, {}),
    "units:reconcile_accept": ("coordinator", {"pk": "portal_row"}, {}),
    "units:reconcile_add": ("coordinator", {"pk": "portal_row"}, {}),
    "units:category_list": ("administrator", {}, {}),
    "units:category_synonym_delete": ("administrator", {"pk": "missing"}, {}),
    "inspections:campaign_list": ("coordinator", {}, {}),
    "inspections:campaign_create": ("coordinator", {}, {}),
    "inspections:campaign_choose": ("coordinator", {}, {}),
    "inspections:campaign_edit": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:campaign_start": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:campaign_close": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:campaign_detail": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:team_list": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:nomination_board": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:nomination_create": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:nomination_detail": ("coordinator", {"pk": "campaign", "nomination_pk": "nomination"},
                                      {"nominee": "nominee", "team": "team"}),
    "inspections:target_list": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:target_add": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:schedule": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:schedule_proposal": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:schedule_proposal_make": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:schedule_proposal_change": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:schedule_proposal_accept": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:itinerary_create": ("coordinator", {"pk": "campaign"}, {}),
    "inspections:itinerary_edit": ("coordinator", {"pk": "campaign", "itinerary_pk": "itinerary"}, {}),
    "inspections:itinerary_detail": ("coordinator", {"pk": "itinerary"}, {}),
    "inspections:itinerary_send": ("coordinator", {"pk": "itinerary"}, {}),
    "inspections:itinerary_confirm": ("office", {"pk": "itinerary_without_vehicle"}, {}),
    "inspections:visit_detail": ("coordinator", {"pk": "market"}, {}),
    "inspections:visit_history": ("coordinator", {"pk": "market"}, {}),
    "inspections:visit_start": ("member", {"pk": "market"}, {}),
    "inspections:answer_save": ("member", {"pk": "market", "item_pk": "number_item"}, {}),
    "inspections:visit_submit": ("member", {"pk": "market"}, {}),
    "inspections:evidence_add": ("member", {"pk": "market"}, {}),
    "inspections:figures_save": ("member", {"pk": "market"}, {}),
    "inspections:correction_add": ("member", {"pk": "market"}, {}),
    "inspections:answer_amend": ("coordinator", {"pk": "approved"}, {"item": "answered_item"}),
    "inspections:conclusion_override": ("member", {"pk": "market"}, {}),
    "inspections:evidence_file": ("member", {"pk": "photo"}, {}),
    "inspections:visit_review": ("leader", {"pk": "committee"}, {}),
    "inspections:vehicle_list": ("office", {}, {}),
    "inspections:checklist_list": ("coordinator", {}, {}),
    "inspections:checklist_detail": ("coordinator", {"pk": "checklist"}, {}),
    "inspections:checklist_preview": ("coordinator", {"pk": "checklist"}, {}),
    "inspections:checklist_section_add": ("coordinator", {"pk": "checklist"}, {}),
    "inspections:checklist_item_create": ("coordinator", {"pk": "checklist", "section_pk": "checklist_section"}, {}),
    "inspections:checklist_item_edit": ("coordinator", {"pk": "checklist", "section_pk": "checklist_section",
                                                        "item_pk": "number_item"}, {}),
    "inspections:checklist_move": ("coordinator", {"pk": "checklist"}, {}),
    "inspections:checklist_publish": ("coordinator", {"pk": "checklist"}, {}),
    "inspections:checklist_new_version": ("coordinator", {"pk": "missing"}, {}),
    "inspections:xlsform_upload": ("coordinator", {}, {}),
    "inspections:xlsform_confirm": ("coordinator", {}, {}),
    "inspections:xlsform_export": ("coordinator", {"pk": "checklist"}, {}),
    "inspections:follow_up_list": ("coordinator", {}, {}),
    "inspections:follow_up_detail": ("coordinator", {"pk": "follow_up"}, {}),
    "inspections:signature_save": ("member", {"pk": "market"}, {}),
    "inspections:signature_file": ("member", {"pk": "missing"}, {}),
    "inspections:qr_scan_save": ("member", {"pk": "market"}, {}),
    "inspections:transcribe_start": ("member", {}, {}),
    "inspections:transcribe_visit": ("member", {"pk": "market"}, {}),
    "reports:campaign_dashboard": ("leadership", {"pk": "campaign"}, {}),
    "reports:campaign_visits": ("leadership", {"pk": "campaign"}, {}),
    "reports:report_list": ("coordinator", {"pk": "campaign"}, {}),
    "reports:report_detail": ("coordinator", {"pk": "draft_report"}, {}),
    "reports:report_retake": ("coordinator", {"pk": "approved_report"}, {}),
    "reports:report_approve": ("leadership", {"pk": "draft_report"}, {}),
    "reports:report_visits": ("coordinator", {"pk": "draft_report"}, {}),
    "reports:report_files": ("coordinator", {"pk": "draft_report"}, {}),
    "reports:report_document": ("coordinator", {"pk": "draft_report"}, {}),
    "reports:report_annex": ("coordinator", {"pk": "draft_report"}, {}),
    "reports:raw_export_create": ("leadership", {"pk": "campaign"}, {}),
    "reports:raw_export_detail": ("leadership", {"pk": "missing"}, {}),
    "reports:raw_export_download": ("leadership", {"pk": "missing"}, {}),
    "reports:raw_data_file": ("leadership", {"pk": "campaign", "sheet": "answers", "fmt": "csv"}, {}),
    "reports:itinerary_notice_pdf": ("coordinator", {"pk": "itinerary"}, {}),
    "reports:visit_minutes_pdf": ("coordinator", {"pk": "approved"}, {}),
    "reports:visit_minutes_print": ("coordinator", {"pk": "approved"}, {}),
    "reports:visit_paper_checklist": ("coordinator", {"pk": "market"}, {}),
    "reports:follow_up_reminder": ("coordinator", {"pk": "follow_up", "fmt": "pdf"}, {}),
    "reports:audit": ("leadership", {}, {}),
    "reports:audit_export": ("leadership", {}, {}),
    "webhooks:subscription_list": ("administrator", {}, {}),
    "webhooks:subscription_detail": ("administrator", {"pk": "subscription"}, {}),
    "webhooks:delivery_log": ("administrator", {}, {}),
}


def build_world() -> dict:
    """The fieldwork world (a sent itinerary, a market and a committee), taken further: the
    market in progress with answers and a photo whose file is gone, the committee
    submitted, a third visit approved with a correction followed up, reports draft and
    approved, a nomination, an import done and a handled portal row."""
    world = build()
    campaign, coordinator, member, leader = world["campaign"], world["coordinator"], world["member"], world["leader"]
    users = {"coordinator": coordinator, "member": member, "leader": leader,
             "office": make_user("office", Role.OFFICE), "leadership": make_user("leadership", Role.LEADERSHIP),
             "administrator": make_user("quantri", Role.ADMINISTRATOR)}
    market = fieldwork.start_visit(world["market"], by=member)
    answer_all(market, member, {"b4": "no"})
    committee = fieldwork.start_visit(world["committee"], by=member)
    answer_all(committee, member)
    fieldwork.submit_visit(committee, by=member, key="k")
    item = ChecklistItem.objects.get(code="b6")
    approved = make_visit(campaign, make_unit("Chợ Thạch Hà", commune=18406, category="cho"), day=DAY,
                          conclusion={"b": "dat_mot_phan", "overall": "dat_mot_phan"})
    Visit.objects.filter(pk=approved.pk).update(checklist=campaign.checklist)
    Answer.objects.create(visit=approved, item=item, value=12, saved_by=member)
    correction = Correction.objects.create(visit=approved, description="Bố trí người hướng dẫn",
                                           deadline=datetime.date(2021, 12, 20), added_by=member)
    follow_up = FollowUp.objects.create(correction=correction, unit=approved.unit, deadline=correction.deadline)
    draft = report_services.create_report(campaign, as_of=datetime.date(2021, 12, 31), by=coordinator)
    approved_report = report_services.approve(
        report_services.create_report(campaign, as_of=datetime.date(2021, 12, 31), by=coordinator),
        by=users["leadership"])
    nomination = Nomination.objects.create(campaign=campaign, organization=make_organization("Phòng VHTT Can Lộc"),
                                           received_on=datetime.date(2021, 11, 25), recorded_by=coordinator)
    nominee = Nominee.objects.create(nomination=nomination, full_name="Trần Thị Hoa")
    bare = Itinerary.objects.create(campaign=campaign, date=datetime.date(2021, 12, 8), departs_at=datetime.time(7),
                                    returns_at=datetime.time(11), created_by=coordinator)
    units_import = ImportBatch.objects.create(original_name="don-vi.xlsx", uploaded_by=coordinator,
                                              status=ImportBatch.Status.DONE)
    portal = ImportBatch.objects.create(kind=ImportBatch.Kind.PORTAL, original_name="cong.xlsx",
                                        uploaded_by=coordinator, status=ImportBatch.Status.READY)
    portal_row = ImportRow.objects.create(batch=portal, row=2, status=ImportRow.Status.ACCEPTED, unit=market.unit)
    photo = Evidence.objects.create(visit=market, file="evidence/2021/12/gone.jpg", original_name="gone.jpg",
                                    width=1, height=1, sha256="0" * 64, uploaded_by=member)
    return {
        "users": users,
        "ids": {"campaign": campaign.pk, "unit": market.unit_id, "import": units_import.pk, "portal": portal.pk,
                "portal_row": portal_row.pk, "nomination": nomination.pk, "nominee": nominee.pk,
                "team": Team.objects.filter(campaign=campaign).first().pk, "itinerary": market.itinerary_id,
                "itinerary_without_vehicle": bare.pk, "market": market.pk, "committee": committee.pk,
                "approved": approved.pk, "number_item": item.pk, "answered_item": item.pk, "photo": photo.pk,
                "follow_up": follow_up.pk, "checklist": campaign.checklist_id,
                "checklist_section": item.section_id,
                "subscription": webhook_services.save_subscription(
                    url="https://tinh.example/su-kien", events=["visit.approved"], by=coordinator).pk,
                "draft_report": draft.pk, "approved_report": approved_report.pk,
                "missing": 999_999},
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at its end; each test
    runs in a savepoint of it (pytest-django's `db`), so a change by one request would
    not leak into the next test."""
    with django_db_blocker.unblock(), override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def checksums() -> dict:
    """Per table: the number of rows and an md5 of all of them, in id order."""
    with connection.cursor() as cursor:
        # The table names are this module's constants, not input.
        cursor.execute(" UNION ALL ".join(
            f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "  # noqa: S608
            f"FROM {table} t" for table in TABLES))
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def test_every_url_is_fuzzed():
    assert sorted(product_urls()) == sorted(TARGETS)


@pytest.mark.parametrize("name", list(TARGETS))
def test_bad_input_neither_crashes_nor_changes_a_row(client, world, db, name):
    """One test per URL (its fixtures once), every payload posted to it; the failures
    name the URL and the payload."""
    who, arguments, valid_ids = TARGETS[name]
    if who != "anonymous":
        client.force_login(world["users"][who])
    url = reverse(name, kwargs={key: world["ids"].get(value, value) for key, value in arguments.items()})
    ids = {key: world["ids"][value] for key, value in valid_ids.items()}
    failures = []
    for payload in PAYLOADS:
        before = checksums()
        response = client.post(url, body(payload, ids))
        changed = sorted(table for table, rows in checksums().items() if rows != before[table])
        if response.status_code >= 500 or changed:
            failures.append(f"POST {url} ({payload}): {response.status_code}, changed {changed}")
        if name == "logout":
            client.force_login(world["users"][who])  # in again for the next payload
    assert failures == []
