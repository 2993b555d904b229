from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import DIC_STAFF, INSPECTORATE, has_role
from units import text


class Division(models.Model):
    """A province, district-level or commune-level unit with its national (GSO) code.

    Loaded by `manage.py load_divisions` from vietnam-provinces 0.5.0: the structure
    in force in December 2021, not the 2025 one.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        DISTRICT = 2, _("District")
        COMMUNE = 3, _("Commune")

    code = models.PositiveIntegerField(_("national code"))
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    division_type = models.CharField(_("type"), max_length=30)
    codename = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("belongs to"),
    )

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["level", "code"]
        constraints = [
            # National codes are unique within a level: province 42 is not district 42.
            models.UniqueConstraint(fields=["level", "code"], name="units_division_code_unique_per_level"),
            models.CheckConstraint(
                name="units_division_parent_by_level",
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
            ),
        ]

    def __str__(self):
        return self.name


class UnitCategory(models.Model):
    """A kind of place the plan inspects. Our own classification, not PC-Covid's:
    administrators extend it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("unit category")
        verbose_name_plural = _("unit categories")
        ordering = ["order", "code"]

    def __str__(self):
        return self.label(self.name, self.name_en)

    @staticmethod
    def label(name: str, name_en: str) -> str:
        """The category's name in the interface's language (for rows read with values())."""
        return name_en if get_language() == "en" and name_en else name


class CategorySynonym(models.Model):
    """Words that name a category in the lists people send ("Quán cà phê" for "Nhà hàng,
    quán ăn, quán cà phê", "Trường THCS" for the schools): the import reads a category
    cell, or a unit's name, by them (issue #14). The administrator keeps them."""

    category = models.ForeignKey(UnitCategory, on_delete=models.CASCADE, related_name="synonyms",
                                 verbose_name=_("category"))
    words = models.CharField(_("words"), max_length=120)
    # The words folded (units/text.py: name_key): matching ignores diacritics and case.
    key = models.CharField(max_length=120, editable=False)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("added by"))

    class Meta:
        verbose_name = _("category synonym")
        verbose_name_plural = _("category synonyms")
        ordering = ["category__order", "key"]
        constraints = [
            # One meaning per word: "chợ" cannot be a market and a shop.
            models.UniqueConstraint(fields=["key"], name="units_categorysynonym_key_unique"),
            models.CheckConstraint(condition=~Q(key=""), name="units_categorysynonym_key_not_empty"),
        ]

    def __str__(self):
        return self.words


REGISTRY_READERS = DIC_STAFF


def sees_every_unit(user) -> bool:
    """Whether `Unit.objects.visible_to(user)` is the whole registry: then its counts may come
    from the dashboard's tallies (reports/tallies.py)."""
    return user.is_authenticated and user.is_active and has_role(user, *REGISTRY_READERS)
REGISTRY_EDITORS = INSPECTORATE


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The DIC (coordinators, administrators, leadership, office) reads the whole
        registry. An inspector sees only the units of the visits they may see (their
        itineraries, once sent): a surprise schedule reveals nothing more."""
        if sees_every_unit(user):
            return self
        if not user.is_authenticated or not user.is_active:
            return self.none()
        # The one deliberate cross-app tie (the registry's scope follows the visits'); inline: a real cycle.
        from inspections.models import Visit

        return self.filter(pk__in=Visit.objects.visible_to(user).values("unit"))

    def search(self, query: str):
        """Name, address or phone, ignoring diacritics, case and tone-mark placement; the
        words in any order, each a whole word or a part of one ("cho duc tho" finds "Chợ Thị
        trấn Đức Thọ"). Each word is a LIKE served by the trigram index."""
        folded = text.fold(query)
        if not folded:
            return self
        condition = Q()
        for word in folded.split():
            condition &= Q(search_text__contains=word)
        digits = text.phone_query(query)
        if digits:
            condition |= Q(phone__contains=digits)
        return self.filter(condition)

    def by_relevance(self, query: str):
        """Best match first for a search (issue #14): the trigram word similarity of the
        folded words to the folded name counts twice its similarity to name and address,
        so "tram y te" puts the health stations before a unit whose address only names
        one; ties in Vietnamese order. Without words, Vietnamese order."""
        folded = text.fold(query)
        if not folded:
            return self.in_vietnamese_order()
        return self.annotate(
            relevance=2 * TrigramWordSimilarity(Value(folded), "name_key")
            + TrigramWordSimilarity(Value(folded), "search_text"),
        ).order_by("-relevance", "sort_key", "pk")

    def in_vietnamese_order(self):
        return self.order_by("sort_key", "pk")

    def never_inspected(self):
        """Units no team has inspected yet (no visit under way, submitted or approved).
        A planned or scheduled visit does not count, and is not revealed by this."""
        from inspections.models import Visit  # the same tie as visible_to's, inline for the same reason

        inspected = Visit.objects.filter(unit=OuterRef("pk"), status__in=Visit.INSPECTED)
        return self.filter(~Exists(inspected))


class Unit(models.Model):
    """A place that can be inspected: an agency, a People's Committee, a business,
    a hospital, a market, a school..."""

    class QRStatus(models.TextChoices):
        NONE = "none", _("No location QR code")
        CREATED = "created", _("QR code created")
        POSTED = "posted", _("QR code posted")

    name = models.CharField(_("name"), max_length=255)
    category = models.ForeignKey(
        UnitCategory, on_delete=models.PROTECT, related_name="units", verbose_name=_("category")
    )
    commune = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="units", verbose_name=_("commune"),
        limit_choices_to={"level": Division.Level.COMMUNE},
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    representative_name = models.CharField(_("representative"), max_length=120, blank=True)
    representative_title = models.CharField(_("representative's title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    qr_status = models.CharField(
        _("location QR status"), max_length=10, choices=QRStatus.choices, default=QRStatus.NONE
    )
    qr_location_code = models.CharField(_("portal location code"), max_length=64, blank=True)
    qr_created_on = models.DateField(_("QR code created on"), null=True, blank=True)
    staff_count = models.PositiveIntegerField(_("staff count"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_sample = models.BooleanField(
        _("sample data"), default=False,
        help_text=_("Invented for the demonstration; not a real record."),
    )
    # Which unit of the demo this is (inspections/demo.py), whatever it has been renamed to.
    sample_key = models.CharField(max_length=100, blank=True, editable=False)
    # Provenance: who created and last changed the unit, and from which import.
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("last changed by"),
    )
    source_import = models.ForeignKey(
        "units.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("last import"),
    )
    # Derived from the fields above by set_derived_fields(), for search, order and
    # duplicate detection; never edited.
    search_text = models.TextField(editable=False, default="")
    name_key = models.CharField(max_length=255, editable=False, default="")
    sort_key = models.CharField(max_length=600, editable=False, default="", db_collation="C")
    history = HistoricalRecords(excluded_fields=["search_text", "name_key", "sort_key", "updated_at"])

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="units_unit_search_trgm"),
            models.Index(fields=["commune", "name_key"], name="units_unit_commune_name_key"),
            models.Index(fields=["sort_key"], name="units_unit_sort_key"),
        ]
        constraints = [
            # A portal location code identifies one place.
            models.UniqueConstraint(
                fields=["qr_location_code"], name="units_unit_qr_code_unique",
                condition=~Q(qr_location_code=""),
            ),
            models.UniqueConstraint(
                fields=["sample_key"], name="units_unit_sample_key_unique", condition=~Q(sample_key=""),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Derived columns only: no side effects here (those live in units/services.py).
        self.set_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key", "sort_key", "search_text"}
        super().save(*args, **kwargs)

    @property
    def district(self):
        return self.commune.parent

    def set_derived_fields(self):
        """Fill the search, order and duplicate keys (also before a bulk_create)."""
        self.name_key = text.name_key(self.name)
        self.sort_key = text.sort_key(self.name)
        self.search_text = " ".join(filter(None, [text.fold(self.name), text.fold(self.address)]))

    def clean(self):
        if self.commune_id and self.commune.level != Division.Level.COMMUNE:
            raise ValidationError({"commune": _("Choose a commune, ward or township.")})


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators and administrators see the imports; each batch once uploaded is
        the team's shared work, so any editor may review and confirm it."""
        return self if has_role(user, *REGISTRY_EDITORS) else self.none()


class ImportBatch(models.Model):
    """One uploaded workbook of units: parsed in the background, previewed, then
    committed all at once or not at all."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting to be read")
        PARSING = "parsing", _("Reading the file")
        READY = "ready", _("Ready for review")
        COMMITTING = "committing", _("Saving")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        UNITS = "units", _("Units for the registry")
        PORTAL = "portal", _("PC-Covid portal list of location QR codes")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.UNITS)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    headers = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    only_valid_rows = models.BooleanField(_("valid rows only"), default=False)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # The queue's task now running the batch (config/jobs.py), and the step "Try again" runs
    # again after the batch failed for a reason other than its file (a worker that died, the
    # registry refusing the commit).
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    retry_step = models.CharField(max_length=12, blank=True, editable=False,
                                  choices=[(Status.PARSING, Status.PARSING.label),
                                           (Status.COMMITTING, Status.COMMITTING.label)])

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit import")
        verbose_name_plural = _("unit imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ImportRow(models.Model):
    """One row of an uploaded workbook and what the import will do with it."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        UPDATE = "update", _("Update")
        DUPLICATE = "duplicate", _("Duplicate")
        ERROR = "error", _("Error")
        SKIPPED = "skipped", _("Skipped")
        # Rows of a portal list (reconciliation):
        MATCHED = "matched", _("Matched")
        MISSING = "missing", _("Not in the registry")
        ACCEPTED = "accepted", _("Match accepted")
        ADDED = "added", _("Added to the registry")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("row"))
    values = models.JSONField(default=list)
    data = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    messages = models.JSONField(default=list)
    changes = models.JSONField(default=dict)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    confidence = models.PositiveSmallIntegerField(_("confidence"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "row"]
        indexes = [models.Index(fields=["batch", "status", "row"], name="units_importrow_batch_status")]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row"], name="units_importrow_once_per_row"),
        ]

    def __str__(self):
        return f"{self.batch} #{self.row}"
