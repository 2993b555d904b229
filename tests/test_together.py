"""config.together.read_together: several querysets' rows by one query, each row the
instance its queryset would have read (every field's value and type), in its order."""

import datetime
from decimal import Decimal

import pytest

from config.together import read_together
from inspections import fieldtools, fieldwork, vocabulary
from inspections.evidence import add_evidence
from inspections.models import ChecklistItem, Visit
from tests.inspections.test_evidence import photo
from tests.inspections.test_fieldtools import drawing
from tests.inspections.test_fieldwork import build


def fields_of(instance) -> list:
    """Every concrete field's value with its type: what a page or a service reads."""
    return [(field.attname, type(value), value) for field in instance._meta.concrete_fields
            for value in [getattr(instance, field.attname)]]


@pytest.fixture
def visit(db, coordinator):
    world = build(coordinator)
    member = world["member"]
    visit = fieldwork.start_visit(world["market"], by=member)
    kinds = {"yes_no": "yes", "percentage": "72.5", "number": "12"}
    for item in [item for item in vocabulary.applicable_items(visit) if item.kind != ChecklistItem.Kind.PHOTO][:4]:
        fieldwork.save_answer(visit, item=item, raw=kinds.get(item.kind, "Có, dán ở cổng “chính”"), note="ghi chú",
                              by=member)
    add_evidence(visit, uploaded_file=photo(400, 300, name="cổng.jpg"), by=member,
                 latitude=Decimal("18.341230"), longitude=Decimal("105.905"))
    add_evidence(visit, uploaded_file=photo(300, 200, name="quầy.jpg"), by=member)
    for deadline in (datetime.date(2021, 12, 20), datetime.date(2021, 12, 15)):
        fieldwork.require_correction(visit, description=f"Dán mã QR trước {deadline:%d/%m}", deadline=deadline,
                                     by=member)
    fieldtools.record_qr_scan(visit, code="HT18406-0001", method="typed", by=member)
    fieldtools.save_signature(visit, role="team_leader", signer_name="Nguyễn Văn Hùng", image_file=drawing(),
                              by=member)
    return Visit.objects.get(pk=visit.pk)


def lists(visit):
    return [visit.answers.all(), visit.evidence.all(), visit.corrections.all(), visit.signatures.all(),
            visit.qr_scans.all(), visit.corrections.order_by("-deadline")]


def test_the_lists_come_by_one_query_as_each_queryset_reads_them(visit, django_assert_num_queries):
    with django_assert_num_queries(1):
        together = read_together(*lists(visit))
    alone = [list(queryset) for queryset in lists(visit)]
    assert [len(rows) for rows in together] == [4, 2, 2, 1, 1, 2]
    assert [[fields_of(row) for row in rows] for rows in together] == [[fields_of(row) for row in rows]
                                                                       for rows in alone]
    # Order as asked: the corrections by deadline, then the other way round.
    assert [row.deadline.day for row in together[2]] == [15, 20]
    assert [row.deadline.day for row in together[5]] == [20, 15]
    # The types a page relies on: exact decimals, aware times, files, an answer's JSON.
    first_photo = together[1][0]
    assert (first_photo.latitude, first_photo.longitude, first_photo.taken_at.tzinfo is not None) == (
        Decimal("18.341230"), Decimal("105.905000"), True)
    assert first_photo.file.name.startswith("evidence/") and together[1][1].latitude is None
    assert {type(row.value) for row in together[0]} <= {str, int, float}
    assert not together[0][0]._state.adding and together[0][0]._state.db == "default"


def test_a_related_managers_rows_know_their_visit_without_a_query(visit, django_assert_num_queries):
    answers, corrections = read_together(visit.answers.all(), visit.corrections.all())
    with django_assert_num_queries(0):
        assert {answer.visit for answer in answers} | {correction.visit for correction in corrections} == {visit}


def test_an_empty_list_and_no_list(visit, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert read_together(visit.corrections.none(), visit.qr_scans.filter(code_read="không có")) == [[], []]
    with django_assert_num_queries(0):  # nothing to read
        assert read_together(visit.corrections.none(), visit.answers.filter(pk__in=[])) == [[], []]
    with django_assert_num_queries(0):
        assert read_together() == []


@pytest.mark.parametrize("queryset", [
    lambda visit: visit.evidence.select_related("item"),
    lambda visit: visit.answers.values("value"),
    lambda visit: visit.answers.only("value"),
    lambda visit: visit.corrections.all()[:1],
    lambda visit: visit.corrections.order_by("?"),
], ids=["select_related", "values", "only", "sliced", "random order"])
def test_a_queryset_that_is_not_plain_rows_is_refused(visit, queryset):
    with pytest.raises(ValueError):
        read_together(queryset(visit))
