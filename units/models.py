from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every signed-in member of staff may read the registry: it holds public
        facts about agencies and businesses, and it is what campaigns draw from."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self


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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            # A portal location code identifies one place.
            models.UniqueConstraint(
                fields=["qr_location_code"], name="units_unit_qr_code_unique",
                condition=~Q(qr_location_code=""),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def district(self):
        return self.commune.parent

    def clean(self):
        if self.commune_id and self.commune.level != Division.Level.COMMUNE:
            raise ValidationError({"commune": _("Choose a commune, ward or township.")})
