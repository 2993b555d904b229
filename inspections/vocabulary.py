"""The campaign's shared terms, beside the models: what a conclusion can say, which
visits can still be filled or are locked, which checklist items apply to a unit.

Services, views, documents, dashboards and exports import these; none spells a
conclusion code or a list of statuses again (STYLE: one guard per rule). This module
imports only the models, so anything may import it without a circle.
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.models import Campaign, ChecklistItem, Visit
from units.text import fold


class Conclusion(models.TextChoices):
    """A criterion's or the visit's conclusion (plan II.1; docs/conclusion-rule.md)."""

    COMPLIANT = "dat", _("Compliant")
    PARTLY = "dat_mot_phan", _("Partly compliant")
    NONCOMPLIANT = "chua_dat", _("Non-compliant")


COMPLIANT, PARTLY, NONCOMPLIANT = Conclusion.COMPLIANT.value, Conclusion.PARTLY.value, Conclusion.NONCOMPLIANT.value
CONCLUSIONS = (COMPLIANT, PARTLY, NONCOMPLIANT)  # in the order the pages, documents and tables show them
SHORT_OF_COMPLIANCE = (PARTLY, NONCOMPLIANT)  # a visit concluded so opens follow-ups and is listed in the report
CONCLUSION_LABELS = dict(Conclusion.choices)
# The conclusion as the Vietnamese documents print it whatever the interface language
# (CONCLUSION_LABELS go through gettext; a document sent to a signer does not).
CONCLUSION_TEXT = {COMPLIANT: "Đạt", PARTLY: "Đạt một phần", NONCOMPLIANT: "Chưa đạt"}
CRITERIA = ("a", "b", "c", "overall")  # the plan's criteria (II.1) and the overall conclusion

YES_NO_VALUES = {"yes", "no", "na"}
YES_NO_LABELS = {"yes": _("Yes"), "no": _("No"), "na": _("Not applicable")}


# A yes/no answer typed as people say it ("Có", "không", "Không áp dụng", "Yes"…), folded
# (no diacritics, lower case) → its code; an amendment takes the words the form shows.
_YES_NO_WORDS = {"co": "yes", "yes": "yes", "khong": "no", "no": "no", "khong ap dung": "na", "na": "na",
                 "not applicable": "na", "kad": "na"}


def yes_no_code(text: str) -> str:
    """ "Có" → "yes", "không áp dụng" → "na"; anything else as it was (then refused)."""
    return _YES_NO_WORDS.get(fold(text), text)


def criterion_label(code: str) -> str:
    """"a)", "b)", "c)" as the plan numbers its criteria; the overall one by name."""
    return str(_("Overall")) if code == "overall" else f"{code})"


def conclusion_in_words(conclusion: dict | None) -> str:
    """{"a": "dat", "overall": "dat_mot_phan"} → "a) Compliant; Overall: Partly compliant"."""
    return "; ".join(f"{criterion_label(code)}{':' if code == 'overall' else ''} {CONCLUSION_LABELS.get(value, value)}"
                     for code, value in (conclusion or {}).items())


def answer_in_words(item: ChecklistItem, value) -> str:
    """An answer as people read it: "Yes" / "No" / "Not applicable", 80 %, 1.234, the text."""
    if value in (None, ""):
        return ""
    if item.kind == ChecklistItem.Kind.YES_NO:
        return str(YES_NO_LABELS.get(value, value))
    if item.kind in (ChecklistItem.Kind.NUMBER, ChecklistItem.Kind.PERCENTAGE) and isinstance(value, int | float):
        number = number_format(value, use_l10n=True, force_grouping=True)
        return f"{number} %" if item.kind == ChecklistItem.Kind.PERCENTAGE else number
    return str(value)

def is_closed(campaign: Campaign) -> bool:
    """A closed campaign is read-only: its record is what it did (issue #15.1). Every
    service that writes to a campaign's work asks `refuse_if_closed` first."""
    return campaign.status == Campaign.Status.CLOSED


def refuse_if_closed(campaign: Campaign) -> None:
    if is_closed(campaign):
        raise ValidationError(gettext("This campaign is closed: its record can be read but no longer changed."))


# A visit's life (DESIGN §3 rule 5): the team fills it while it is under way or returned;
# once approved it is locked, and only an amendment with a reason changes it.
FILLABLE = (Visit.Status.IN_PROGRESS, Visit.Status.RETURNED)
STARTABLE = (Visit.Status.PLANNED, Visit.Status.SCHEDULED)
REVIEWED_OR_AFTER = (Visit.Status.SUBMITTED, Visit.Status.RETURNED, Visit.Status.APPROVED)


def is_fillable(visit: Visit) -> bool:
    return visit.status in FILLABLE


def can_start(visit: Visit) -> bool:
    return visit.status in STARTABLE


def is_locked(visit: Visit) -> bool:
    """An approved visit is locked: the minutes, follow-ups and the report rest on it.
    Every path that changes a visit asks this (the services, the itinerary editor, the
    admin); the one way to change a locked visit is an amendment with a reason
    (inspections/fieldwork.py: amend_answer)."""
    return visit.status == Visit.Status.APPROVED


def refuse_if_locked(visit: Visit) -> None:
    if is_locked(visit):
        raise ValidationError(gettext("This visit is approved and locked: it changes only by an amendment with a "
                                      "reason."))


def has_taken_place(visit: Visit) -> bool:
    """A visit that has started keeps its time and its place on the itinerary: the
    minutes say when the team was there."""
    return visit.status in Visit.INSPECTED


def can_be_reviewed(visit: Visit) -> bool:
    return visit.status == Visit.Status.SUBMITTED


CANCELLABLE = (Visit.Status.PLANNED, Visit.Status.SCHEDULED, Visit.Status.IN_PROGRESS, Visit.Status.RETURNED)


def can_be_cancelled(visit: Visit) -> bool:
    """The Inspectorate cancels a visit with a reason (history kept) until it is
    submitted: a submitted visit is the team leader's to review, an approved one is locked."""
    return visit.status in CANCELLABLE


def has_minutes(visit: Visit) -> bool:
    """The minutes exist once the visit has started (a draft until it is approved)."""
    return visit.status in Visit.INSPECTED


def has_history(visit: Visit) -> bool:
    return visit.status in REVIEWED_OR_AFTER


def applicable_items(visit: Visit):
    """The items of the visit's checklist that apply to its unit's category (an item
    with no category applies to every unit): DESIGN §3 rule 4."""
    template_id = visit.checklist_id or visit.campaign.checklist_id
    if template_id is None:
        return ChecklistItem.objects.none()
    return (ChecklistItem.objects.filter(section__template_id=template_id)
            .filter(Q(categories__isnull=True) | Q(categories=visit.unit.category_id))
            .select_related("section").distinct().order_by("section__order", "order", "code"))


def applicable_item_list(visit: Visit) -> list[ChecklistItem]:
    """`applicable_items(visit)` read, in its order (with their sections), for the pages
    and writes that run on every tap of a phone (the visit page, the answer save).

    A published checklist never changes (`checklists.is_editable`; a new version is a
    new template), so the items of a published version for one category are the same
    for every visit of the campaign: kept in the process's cache under the version and
    the category, read once per process. A draft's items may change at any moment and
    are read every time. The cache pickles, so each caller gets its own instances."""
    template_id = visit.checklist_id or visit.campaign.checklist_id
    if template_id is None:
        return []
    key = f"applicable-items:{template_id}:{visit.unit.category_id}"
    items = cache.get(key)
    if items is None:
        items = list(applicable_items(visit).select_related("section__template"))
        if items and items[0].section.template.published_at is not None:
            cache.set(key, items, timeout=None)
    return items


def applicable_item(visit: Visit, pk) -> ChecklistItem:
    """One of `applicable_item_list(visit)` by its id; 404 for any other id."""
    item = next((item for item in applicable_item_list(visit) if str(item.pk) == str(pk)), None)
    if item is None:
        raise Http404
    return item
