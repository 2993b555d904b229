import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import display_name
from config.bootstrap import style_fields
from config.validation import REPORT_TEXT_MAX, CheckedInput, confirmation_field
from inspections.models import Campaign, Visit
from inspections.vocabulary import CONCLUSION_LABELS, CRITERIA
from reports.audit import Kind
from reports.models import ProvincialReport
from units.forms import districts
from units.models import Division, UnitCategory

DATE_INPUT = {"placeholder": "dd/mm/yyyy"}
# The visits' status filter also takes "carried out": any status of Visit.INSPECTED.
INSPECTED = "inspected"


class DateRangeFilter(CheckedInput, forms.Form):
    """A filter between two days, typed dd/mm/yyyy, the start not after the end; its
    `filters` are the cleaned data, or none while the form is not valid."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE_INPUT))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE_INPUT))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data

    @property
    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class DashboardFilterForm(DateRangeFilter):
    """The dashboard's filters (campaign, dates, category) and where it has drilled to
    (a district, then one of its communes). Every figure of the page follows them, and
    so do the lists of visits behind the figures."""

    field_order = ["campaign", "date_from", "date_to", "category", "district", "commune"]
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=UnitCategory.objects.order_by("order", "code"),
                                      to_field_name="code", required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=None, to_field_name="code", required=False)
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=None, to_field_name="code", required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-starts_on")
        self.fields["campaign"].empty_label = None
        self.fields["district"].queryset = districts()
        communes = Division.objects.filter(level=Division.Level.COMMUNE, parent__in=districts())
        district = (data or {}).get("district")
        if district and str(district).isdigit():
            communes = communes.filter(parent__code=district)
        self.fields["commune"].queryset = communes.order_by("code")
        style_fields(self)

    def filter(self, visits):
        data = self.filters
        # Local days as a range of moments (not starts_at__date), which an index serves.
        if data.get("date_from"):
            visits = visits.filter(starts_at__gte=_local_midnight(data["date_from"]))
        if data.get("date_to"):
            visits = visits.filter(starts_at__lt=_local_midnight(data["date_to"] + datetime.timedelta(days=1)))
        return self.filter_units(visits, "unit__")

    def filter_units(self, rows, prefix: str = ""):
        """Units, or rows tied to a unit through `prefix` (targets: "unit__"), narrowed to
        the category and the drilled area: the figures that are not visits (targets, the
        registry's QR coverage, units never inspected) follow the same filters."""
        data = self.filters
        if data.get("category"):
            rows = rows.filter(**{f"{prefix}category": data["category"]})
        if data.get("district"):
            rows = rows.filter(**{f"{prefix}commune__parent": data["district"]})
        if data.get("commune"):
            rows = rows.filter(**{f"{prefix}commune": data["commune"]})
        return rows

    @property
    def level(self) -> str:
        """What the dashboard's area table lists: districts, a district's communes, or a
        commune's units."""
        data = self.filters
        return "unit" if data.get("commune") else "commune" if data.get("district") else "district"


CONCLUSION_CHOICES = [("", "---------"), *CONCLUSION_LABELS.items()]


class VisitFilterForm(DashboardFilterForm):
    """The visits behind one figure of the dashboard: its filters, plus the stage, a
    criterion's conclusion or a unit."""

    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", "---------"), (INSPECTED, _("Inspected")), *Visit.Status.choices])
    a = forms.ChoiceField(label=_("Criterion a"), choices=CONCLUSION_CHOICES, required=False)
    b = forms.ChoiceField(label=_("Criterion b"), choices=CONCLUSION_CHOICES, required=False)
    c = forms.ChoiceField(label=_("Criterion c"), choices=CONCLUSION_CHOICES, required=False)
    overall = forms.ChoiceField(label=_("Overall"), choices=CONCLUSION_CHOICES, required=False)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def filter(self, visits):
        visits = super().filter(visits)
        data = self.filters
        if data.get("status") == INSPECTED:
            visits = visits.filter(status__in=Visit.INSPECTED)
        elif data.get("status"):
            visits = visits.filter(status=data["status"])
        for code in CRITERIA:
            if data.get(code):
                visits = visits.filter(**{f"conclusion__{code}": data[code]})
        if data.get("unit"):
            visits = visits.filter(unit_id=data["unit"])
        return visits


class ReportCreateForm(CheckedInput, forms.Form):
    as_of = forms.DateField(label=_("Figures as of"), widget=forms.DateInput(attrs=DATE_INPUT),
                            help_text=_("Visits carried out up to this day and approved are counted."))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["as_of"].initial = min(campaign.ends_on, timezone.localdate()).strftime("%d/%m/%Y")
        style_fields(self)


class ReportTextForm(CheckedInput, forms.ModelForm):
    """What the Inspectorate writes: the assessment and the recommendations."""

    long_text_max = REPORT_TEXT_MAX

    class Meta:
        model = ProvincialReport
        fields = ["number", "issued_on", "direction_documents", "strengths", "shortcomings", "causes",
                  "recommendations"]
        widgets = {"issued_on": forms.DateInput(attrs=DATE_INPUT, format="%d/%m/%Y"),
                   **{name: forms.Textarea(attrs={"rows": 4}) for name in (
                       "direction_documents", "strengths", "shortcomings", "causes", "recommendations")}}
        help_texts = {"recommendations": _("Proposed from the figures when the report is drafted: edit it before "
                                           "approval; the approved report keeps the text as edited.")}

    def clean_issued_on(self):
        issued_on = self.cleaned_data.get("issued_on")
        if issued_on and issued_on < self.instance.as_of:
            raise forms.ValidationError(_("The date of issue cannot be before the day the figures are taken to "
                                          "(%(day)s).") % {"day": self.instance.as_of.strftime("%d/%m/%Y")})
        return issued_on


class AuditFilterForm(DateRangeFilter):
    """The audit page's filters: whose actions, in which campaign, between which days, of what kind."""

    field_order = ["person", "campaign", "date_from", "date_to", "kind"]
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All"))] + Kind.CHOICES, required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["person"].queryset = get_user_model().objects.order_by("first_name", "username")
        self.fields["person"].label_from_instance = display_name
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-starts_on")
        style_fields(self)


class ApproveReportForm(CheckedInput, forms.Form):
    """Approval is final: the figures and the text can no longer change."""

    confirm = confirmation_field(_("I confirm: approve the report; its figures and text become final"))
