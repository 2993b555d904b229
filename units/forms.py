from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.bootstrap import style_fields
from config.validation import STAFF_MAX, CheckedInput, bound_number
from units import text
from units.models import Division, Unit, UnitCategory
from units.services import EDITABLE_FIELDS, likely_duplicates


def communes_by_district(province_code: int | None = None):
    """Choices for a commune select: one group per district, in the national order."""
    province_code = province_code or settings.REGISTRY_PROVINCE_CODE
    communes = (Division.objects.filter(level=Division.Level.COMMUNE, parent__parent__code=province_code,
                                        parent__parent__level=Division.Level.PROVINCE)
                .select_related("parent").order_by("parent__code", "code"))
    groups = {}
    for commune in communes:
        groups.setdefault(commune.parent.name, []).append((commune.pk, commune.name))
    return list(groups.items())


def districts(province_code: int | None = None):
    return Division.objects.filter(level=Division.Level.DISTRICT,
                                   parent__code=province_code or settings.REGISTRY_PROVINCE_CODE,
                                   parent__level=Division.Level.PROVINCE).order_by("code")


class UnitForm(CheckedInput, forms.ModelForm):
    confirm_duplicate = forms.BooleanField(
        required=False, label=_("I have checked: this is a different unit, save it anyway"))

    class Meta:
        model = Unit
        fields = EDITABLE_FIELDS
        widgets = {
            "qr_created_on": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "---------"), *communes_by_district()]
        self.fields["category"].queryset = UnitCategory.objects.all()
        bound_number(self.fields["staff_count"], STAFF_MAX)
        self.duplicates = []

    def clean_name(self):
        return text.clean(self.cleaned_data["name"])

    def clean_address(self):
        return text.clean(self.cleaned_data["address"])

    def clean_phone(self):
        return text.normalize_phone(self.cleaned_data["phone"])

    def clean_qr_location_code(self):
        code = text.clean(self.cleaned_data["qr_location_code"])
        if code and Unit.objects.filter(qr_location_code=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another unit of the registry already has this location code."))
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") and cleaned.get("commune") and not cleaned.get("confirm_duplicate"):
            self.duplicates = list(likely_duplicates(
                name=cleaned["name"], commune=cleaned["commune"], exclude_pk=self.instance.pk))
            if self.duplicates:
                raise ValidationError(
                    _("A unit with the same name already exists in this commune. Check the list below; "
                      "if this is a different unit, tick the box to save it anyway."), code="duplicate")
        return cleaned

    def unit_fields(self) -> dict:
        return {field: self.cleaned_data[field] for field in EDITABLE_FIELDS}


class UnitFilterForm(CheckedInput, forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, address or phone")}))
    district = forms.ModelChoiceField(label=_("District"), queryset=Division.objects.none(), required=False)
    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)
    category = forms.ModelChoiceField(label=_("Category"), queryset=UnitCategory.objects.all(), required=False)
    qr_status = forms.ChoiceField(label=_("Location QR"), required=False,
                                  choices=[("", _("All")), *Unit.QRStatus.choices])
    active = forms.ChoiceField(label=_("Active"), required=False,
                               choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))])
    never_inspected = forms.BooleanField(label=_("Never inspected"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts()
        self.fields["commune"].choices = [("", _("All")), *communes_by_district()]
        style_fields(self)

    def is_filtered(self) -> bool:
        """Whether any filter is chosen (an unfiltered list is the whole registry)."""
        return self.is_valid() and any(self.cleaned_data.values())

    def query(self) -> str:
        """The words searched for, for ordering and highlighting the results."""
        return self.cleaned_data["q"] if self.is_valid() else ""

    def filter(self, units):
        if not self.is_valid():
            return units
        data = self.cleaned_data
        if data["q"]:
            units = units.search(data["q"])
        if data["district"]:
            units = units.filter(commune__parent=data["district"])
        if data["commune"]:
            units = units.filter(commune_id=data["commune"])
        if data["category"]:
            units = units.filter(category=data["category"])
        if data["qr_status"]:
            units = units.filter(qr_status=data["qr_status"])
        if data["active"]:
            units = units.filter(is_active=data["active"] == "1")
        if data["never_inspected"]:
            units = units.never_inspected()
        return units


class ImportUploadForm(CheckedInput, forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm"}))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > 50 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 50 MB."))
        return uploaded


class ImportConfirmForm(CheckedInput, forms.Form):
    only_valid_rows = forms.BooleanField(
        required=False, label=_("Import the valid rows only (leave out the rows with errors)"))


class CategorySynonymForm(CheckedInput, forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=UnitCategory.objects.all())
    words = forms.CharField(label=_("Words that name it"), max_length=120,
                            help_text=_("As the lists write it, e.g. “Quán cà phê”; diacritics and case are "
                                        "ignored when a file is read."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
