"""Checklist versions and the builder (issue #15.2): a published version never changes
(visits keep the version they started with); editing makes a new, unpublished version; a
draft's sections and items are added, changed, moved up or down and removed here, each
write refused on a published version (`require_draft`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate

# What the builder edits on an item (its section, code and order are set apart).
ITEM_FIELDS = ("text", "text_en", "help_text", "help_text_en", "kind", "choices", "required",
               "noncompliant_if", "photo_required_if", "note_required_if")


@transaction.atomic
def new_checklist_version(template):
    """Copy a checklist into its next, unpublished version for editing (a published
    version never changes; visits keep the version they started with)."""
    latest = ChecklistTemplate.objects.filter(name=template.name).order_by("-version").first()
    copy = ChecklistTemplate.objects.create(name=template.name, version=latest.version + 1, based_on=template)
    for section in template.sections.prefetch_related("items__categories"):
        new_section = ChecklistSection.objects.create(template=copy, code=section.code, title=section.title,
                                                      title_en=section.title_en, order=section.order)
        for item in section.items.all():
            categories = list(item.categories.all())
            item.pk, item.section = None, new_section
            item._state.adding = True
            item._prefetched_objects_cache = {}  # else set() compares with the original's categories
            item.save()
            item.categories.set(categories)
    return copy


def is_editable(template: ChecklistTemplate) -> bool:
    """A published checklist never changes: every path that would edit one (the admin,
    a builder, an import) asks this first."""
    return not template.is_published


def require_draft(template: ChecklistTemplate) -> None:
    if not is_editable(template):
        raise ValidationError(_("A published checklist never changes: make a new version to edit."))


@transaction.atomic
def publish_checklist(template: ChecklistTemplate) -> bool:
    """Publish a draft version: from now on it is read-only. Returns False if it already was."""
    if not template.sections.filter(items__isnull=False).exists():
        raise ValidationError(_("A checklist needs at least one question before it is published."))
    return bool(ChecklistTemplate.objects.filter(pk=template.pk, published_at__isnull=True)
                .update(published_at=timezone.now()))


@transaction.atomic
def create_checklist(*, name: str) -> ChecklistTemplate:
    """A new, empty draft (version 1 of a new name)."""
    if ChecklistTemplate.objects.filter(name=name).exists():
        raise ValidationError(_("A checklist with this name exists: make a new version of it instead."))
    return ChecklistTemplate.objects.create(name=name, version=1)


def _next_order(queryset) -> int:
    return (queryset.aggregate(last=Max("order"))["last"] or 0) + 1


@transaction.atomic
def save_section(template: ChecklistTemplate, *, code: str, title: str, title_en: str = "",
                 section: ChecklistSection | None = None) -> ChecklistSection:
    """Add a section at the end of a draft, or change one. Side effects: the section."""
    require_draft(template)
    if template.sections.filter(code=code).exclude(pk=getattr(section, "pk", None)).exists():
        raise ValidationError(_("This checklist already has a section with the code %(code)s.") % {"code": code})
    if section is None:
        section = ChecklistSection(template=template, order=_next_order(template.sections))
    section.code, section.title, section.title_en = code, title, title_en
    section.save()
    return section


@transaction.atomic
def save_item(section: ChecklistSection, *, code: str, categories, item: ChecklistItem | None = None,
              **fields) -> ChecklistItem:
    """Add a question at the end of a draft's section, or change one: its text (and English
    label), help, kind, choices, required flag, the unit categories it applies to and its rules
    by answer (non-compliant / photo / note when). Side effects: the item and its categories."""
    require_draft(section.template)
    check_item(code=code, section=section, item=item, **fields)
    if item is None:
        item = ChecklistItem(section=section, order=_next_order(section.items))
    item.code = code
    for name in ITEM_FIELDS:
        if name in fields:
            setattr(item, name, fields[name])
    item.save()
    item.categories.set(categories)
    return item


def check_item(*, code, section, item=None, kind=ChecklistItem.Kind.YES_NO, choices=(), noncompliant_if=None,
               photo_required_if=None, note_required_if=None, **_texts) -> None:
    """The rules of one question, in words a coordinator reads: a code once per checklist,
    a choice question has choices, a rule by answer names an answer the question can have."""
    clash = ChecklistItem.objects.filter(section__template=section.template_id, code=code)
    if clash.exclude(pk=getattr(item, "pk", None)).exists():
        raise ValidationError(_("This checklist already has a question with the code %(code)s.") % {"code": code})
    if kind == ChecklistItem.Kind.CHOICE and not choices:
        raise ValidationError(_("A choice question needs at least one choice."))
    answers = possible_answers(kind, choices)
    for rule in (noncompliant_if, photo_required_if, note_required_if):
        if rule is None:
            continue
        if isinstance(rule, dict):
            if kind not in (ChecklistItem.Kind.NUMBER, ChecklistItem.Kind.PERCENTAGE):
                raise ValidationError(_("A bound (< or >) applies only to a number or a percentage."))
        elif answers is not None and rule not in answers:
            raise ValidationError(_("“%(answer)s” is not an answer this question can have.") % {"answer": rule})


def possible_answers(kind, choices) -> set | None:
    """The answers a rule may name: yes / no / na, or the choices; None when any value may."""
    if kind == ChecklistItem.Kind.YES_NO:
        return {"yes", "no", "na"}
    if kind == ChecklistItem.Kind.CHOICE:
        return set(choices)
    return None


@transaction.atomic
def delete_item(item: ChecklistItem) -> None:
    require_draft(item.section.template)
    item.delete()


def _swap(rows: list, index: int, step: int) -> bool:
    other = index + step
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for order, row in enumerate(rows, start=1):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])
    return True


@transaction.atomic
def move_item(item: ChecklistItem, *, step: int) -> bool:
    """Move a question up (-1) or down (+1) in its section; False at either end."""
    require_draft(item.section.template)
    rows = list(item.section.items.select_for_update().order_by("order", "code"))
    return _swap(rows, [row.pk for row in rows].index(item.pk), step)


@transaction.atomic
def move_section(section: ChecklistSection, *, step: int) -> bool:
    require_draft(section.template)
    rows = list(section.template.sections.select_for_update().order_by("order", "code"))
    return _swap(rows, [row.pk for row in rows].index(section.pk), step)
