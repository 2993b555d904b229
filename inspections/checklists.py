"""Checklist versions: a published version never changes (visits keep the version they
started with); editing makes a new, unpublished version."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import ChecklistSection, ChecklistTemplate


@transaction.atomic
def new_checklist_version(template):
    """Copy a checklist into its next, unpublished version for editing (a published
    version never changes; visits keep the version they started with)."""
    latest = ChecklistTemplate.objects.filter(name=template.name).order_by("-version").first()
    copy = ChecklistTemplate.objects.create(name=template.name, version=latest.version + 1, based_on=template)
    for section in template.sections.prefetch_related("items__categories"):
        new_section = ChecklistSection.objects.create(template=copy, code=section.code, title=section.title,
                                                      order=section.order)
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
    return bool(ChecklistTemplate.objects.filter(pk=template.pk, published_at__isnull=True)
                .update(published_at=timezone.now()))
