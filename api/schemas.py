"""What the API answers: codes for machines and, beside each code, its label in the
request's language (Vietnamese unless the language cookie says otherwise), read from the
models' TextChoices and inspections/vocabulary.py, as the pages show them."""

import datetime
from typing import Any, Literal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from accounts.roles import display_name
from config.validation import COUNT_MAX, SCANS_MAX, STAFF_MAX
from inspections import fieldtools
from inspections.vocabulary import CONCLUSION_LABELS, answer_in_words, criterion_label


class ErrorOut(Schema):
    """A refusal: one readable line (a service's message in Vietnamese), or the list of
    what is wrong with the request's shape."""

    detail: str | list[dict[str, Any]]
    fields: dict[str, str] | None = Field(
        None, description="When the refusal is about given fields: each field's message, to show beside it.")
    conflict: dict[str, Any] | None = Field(
        None, description="409 only: what the server holds now that differs from what the caller last saw "
                          "(`status`: the visit's status and the leader's comment; `answer`: the stored answer).")


class Coded(Schema):
    code: str
    label: str


def coded(code, label) -> dict:
    return {"code": code or "", "label": str(label or "")}


def choice(field: str) -> staticmethod:
    """The resolver of a TextChoices field: its code and its label (get_FOO_display)."""
    return staticmethod(lambda obj: coded(getattr(obj, field), getattr(obj, f"get_{field}_display")()))


def each(related: str) -> staticmethod:
    """The resolver of a prefetched relation, as a list."""
    return staticmethod(lambda obj: list(getattr(obj, related).all()))


class CampaignOut(Schema):
    id: int
    number: str
    title: str
    issuing_body: str
    legal_basis: str
    starts_on: datetime.date
    ends_on: datetime.date
    nomination_deadline: datetime.date | None
    form: Coded
    status: Coded
    checklist_id: int | None

    resolve_form = choice("form")

    resolve_status = choice("status")


class DivisionOut(Schema):
    code: int
    name: str


class UnitOut(Schema):
    id: int
    name: str
    category: Coded
    commune: DivisionOut
    district: DivisionOut = Field(alias="commune.parent")
    address: str
    representative_name: str
    representative_title: str
    phone: str
    email: str
    qr_status: Coded
    qr_location_code: str
    staff_count: int | None
    is_active: bool

    @staticmethod
    def resolve_category(unit):
        return coded(unit.category.code, str(unit.category))

    resolve_qr_status = choice("qr_status")


class PersonOut(Schema):
    user_id: int
    name: str
    position: Coded

    @staticmethod
    def resolve_name(membership):
        return display_name(membership.user)

    resolve_position = choice("position")


class VehicleOut(Schema):
    plate: str
    seats: int
    driver_name: str
    driver_phone: str


class StopOut(Schema):
    visit_id: int = Field(alias="pk")
    unit_id: int
    unit: str = Field(alias="unit.name")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: Coded

    resolve_status = choice("status")


class ItineraryOut(Schema):
    id: int
    campaign_id: int
    date: datetime.date
    # Wall-clock times of the day in Hà Tĩnh: JSON Schema's "time" format would require an offset.
    departs_at: str = Field(pattern=r"^\d{2}:\d{2}$", description="Local time, HH:MM (Asia/Ho_Chi_Minh).")
    returns_at: str = Field(pattern=r"^\d{2}:\d{2}$", description="Local time, HH:MM (Asia/Ho_Chi_Minh).")
    departure_place: str
    vehicle: VehicleOut | None
    people: list[PersonOut]
    visits: list[StopOut]
    confirmed_at: datetime.datetime | None
    schedule_sent_at: datetime.datetime | None

    resolve_departs_at = staticmethod(lambda itinerary: f"{itinerary.departs_at:%H:%M}")
    resolve_returns_at = staticmethod(lambda itinerary: f"{itinerary.returns_at:%H:%M}")
    resolve_people = each("people")
    resolve_visits = each("visits")


class ConclusionOut(Schema):
    criterion: Coded
    value: Coded


def conclusion_out(conclusion: dict | None) -> list[dict]:
    return [{"criterion": coded(code, criterion_label(code)),
             "value": coded(value, CONCLUSION_LABELS.get(value, value))}
            for code, value in (conclusion or {}).items()]


class AnswerOut(Schema):
    item_id: int
    code: str = Field(alias="item.code")
    question: str = Field(alias="item.text")
    kind: Coded
    value: Any = Field(description="The stored answer: yes / no / na, a number, a choice or a text.")
    value_label: str
    note: str
    saved_at: datetime.datetime

    @staticmethod
    def resolve_kind(answer):
        return coded(answer.item.kind, answer.item.get_kind_display())

    @staticmethod
    def resolve_value_label(answer):
        return answer_in_words(answer.item, answer.value)


class EvidenceOut(Schema):
    id: int
    item_id: int | None
    original_name: str
    width: int
    height: int
    sha256: str
    taken_at: datetime.datetime | None
    taken_at_source: Coded = Field(description="exif (from the photo), capture (the moment the phone sent) or "
                                               "upload.")
    latitude: float | None
    longitude: float | None
    location_source: Coded = Field(description="exif (the photo's GPS, with consent), device (sent by the phone) "
                                               "or empty.")
    note: str
    uploaded_at: datetime.datetime

    resolve_taken_at_source = choice("taken_at_source")
    resolve_location_source = choice("location_source")


class SignatureOut(Schema):
    id: int
    visit_id: int
    role: Coded
    signer_name: str
    signed_at: datetime.datetime
    width: int
    height: int
    sha256: str = Field(description="SHA-256 of the stored PNG.")
    image_url: str = Field(description="The PNG, for those who may see the visit.")

    resolve_role = choice("role")

    @staticmethod
    def resolve_image_url(signature):
        return reverse("inspections:signature_file", args=[signature.pk])


class QrScanIn(Schema):
    code: str = Field(min_length=1, max_length=fieldtools.CODE_READ_MAX, description="The text the QR code holds.")
    method: Literal["camera", "typed"] = "camera"
    scanned_at: datetime.datetime | None = Field(
        None, description="When it was read, if sent later (offline); believed from the start of the visit's day "
                          "until now, else the time it arrives.")


class QrScanOut(Schema):
    id: int
    visit_id: int
    code_read: str
    registry_code: str = Field(description="The unit's portal location code in the registry when it was read.")
    result: Coded = Field(description="match / other_code / not_pccovid.")
    in_words: str
    method: Coded
    scanned_at: datetime.datetime

    resolve_result = choice("result")
    resolve_method = choice("method")
    resolve_in_words = staticmethod(fieldtools.qr_scan_in_words)


class TranscriptionOut(Schema):
    """A visit whose answers were typed in from the printed checklist (the paper fallback)."""

    by: str
    at: datetime.datetime
    in_words: str


def transcription_out(visit) -> dict | None:
    if visit.transcribed_at is None:
        return None
    who = display_name(visit.transcribed_by) if visit.transcribed_by_id else ""
    when = timezone.localtime(visit.transcribed_at).strftime("%d/%m/%Y %H:%M")
    return {"by": who, "at": visit.transcribed_at,
            "in_words": _("Transcribed from the paper checklist by %(who)s at %(when)s") % {"who": who, "when": when}}


class CorrectionOut(Schema):
    id: int
    description: str
    deadline: datetime.date


class FiguresOut(Schema):
    staff_total: int | None
    staff_with_app: int | None
    qr_codes: int | None
    scans_last_7_days: int | None
    portal_accounts: int | None
    figures_taken_at: datetime.datetime | None


class StatementOut(Schema):
    shortcomings: str
    unit_statement: str
    recommendations: str


class VisitOut(Schema):
    id: int
    campaign_id: int
    itinerary_id: int | None
    unit_id: int
    unit: str = Field(alias="unit.name")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: Coded
    checklist_id: int | None
    started_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    review_comment: str
    conclusion: list[ConclusionOut]
    conclusion_override_reason: str
    figures: FiguresOut
    statement: StatementOut
    answers: list[AnswerOut]
    evidence: list[EvidenceOut]
    corrections: list[CorrectionOut]
    signatures: list[SignatureOut]
    qr_scans: list[QrScanOut]
    transcription: TranscriptionOut | None = Field(description="Set when the answers were typed in from the "
                                                               "printed checklist: by whom, when.")

    resolve_status = choice("status")
    resolve_transcription = staticmethod(transcription_out)

    @staticmethod
    def resolve_conclusion(visit):
        return conclusion_out(visit.conclusion)

    @staticmethod
    def resolve_figures(visit):
        return visit

    @staticmethod
    def resolve_statement(visit):
        return visit

    resolve_answers = each("answers")
    resolve_evidence = each("evidence")
    resolve_corrections = each("corrections")
    resolve_signatures = each("signatures")
    resolve_qr_scans = each("qr_scans")


class StepOut(Schema):
    kind: Coded
    date: datetime.date
    note: str
    evidence: str
    competent_body: str
    visit_id: int | None

    resolve_kind = choice("kind")


class FollowUpOut(Schema):
    id: int
    unit_id: int
    unit: str = Field(alias="unit.name")
    visit_id: int = Field(alias="correction.visit_id")
    correction: str = Field(alias="correction.description")
    deadline: datetime.date
    outcome: Coded
    is_overdue: bool
    closed_at: datetime.datetime | None
    steps: list[StepOut]

    resolve_outcome = choice("outcome")

    @staticmethod
    def resolve_is_overdue(follow_up):
        return follow_up.is_overdue(timezone.localdate())

    resolve_steps = each("steps")


class ReportOut(Schema):
    id: int
    campaign_id: int
    as_of: datetime.date
    number: str
    status: Coded
    taken_at: datetime.datetime
    approved_at: datetime.datetime | None

    resolve_status = choice("status")


class FigureOut(Schema):
    """A count and the visits behind it (every number of the report names its visits)."""

    count: int
    visit_ids: list[int]


class CriterionFiguresOut(Schema):
    criterion: Coded
    compliant: FigureOut
    partly: FigureOut
    noncompliant: FigureOut


class DistrictFiguresOut(Schema):
    district: str
    visits: FigureOut
    compliant: FigureOut
    partly: FigureOut
    noncompliant: FigureOut


class CategoryFiguresOut(Schema):
    category: str
    visits: FigureOut
    units: int


class ReportFiguresOut(Schema):
    """The report's frozen figures, as issued: read from its stored snapshot."""

    report: ReportOut
    total: FigureOut
    units_inspected: int
    pending: int
    criteria: list[CriterionFiguresOut]
    by_district: list[DistrictFiguresOut]
    by_category: list[CategoryFiguresOut]


# ------------------------------------------------------------------------------ writes


class AnswerIn(Schema):
    item_id: int
    value: str | float | None = Field(description="yes / no / na, a number, a choice or a text; null clears it.")
    note: str = ""
    base: datetime.datetime | None = Field(
        None, description="The `saved_at` of the answer the caller last saw (null: none). When given, an answer "
                          "changed since by someone else is not overwritten: 409 with the stored one.")


class StartIn(Schema):
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy: int | None = Field(None, ge=0, le=100_000, description="metres")
    started_at: datetime.datetime | None = Field(
        None, description="When the team started on site (a phone that was offline); kept only if it falls on the "
                          "visit's day and not in the future, else the server's time.")


class CorrectionIn(Schema):
    description: str = Field(min_length=1, max_length=2000)
    deadline: datetime.date


class FiguresIn(Schema):
    """The same bounds as the page's form (config/validation.py)."""

    staff_total: int | None = Field(None, ge=0, le=STAFF_MAX)
    staff_with_app: int | None = Field(None, ge=0, le=STAFF_MAX)
    qr_codes: int | None = Field(None, ge=0, le=COUNT_MAX)
    scans_last_7_days: int | None = Field(None, ge=0, le=SCANS_MAX)
    portal_accounts: int | None = Field(None, ge=0, le=COUNT_MAX)
    taken_at: datetime.datetime | None = Field(None, description="When the unit gave them; now if left out.")

    @field_validator("taken_at")
    @classmethod
    def a_moment_of_this_era(cls, value):
        """Stored in UTC (PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows), and
        a year the campaign could have: 2000–2100."""
        if value is None:
            return value
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if not 2000 <= value.year <= 2100:
            raise ValueError("taken_at must be a moment between the years 2000 and 2100")
        return value.astimezone(datetime.UTC)


class StatementIn(Schema):
    shortcomings: str | None = None
    unit_statement: str | None = None
    recommendations: str | None = None


class SubmissionOut(Schema):
    submitted: bool = Field(description="False when this visit was already submitted with this key.")
    visit: VisitOut
