import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import display_name
from config.bootstrap import style_fields
from config.validation import COUNT_MAX, NUMBER_ANSWER_MAX, SCANS_MAX, STAFF_MAX, CheckedInput, confirmation_field
from inspections.models import (
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    FollowUpStep,
    Nomination,
    Nominee,
    Organization,
    QrScan,
    Signature,
    Team,
    TeamMembership,
    Vehicle,
    Visit,
)
from inspections.schedule import PlannedVisit
from inspections.targets import DrawParameters
from inspections.vocabulary import yes_no_code
from units.forms import districts
from units.models import Unit, UnitCategory


class VehicleForm(CheckedInput, forms.ModelForm):
    class Meta:
        model = Vehicle
        fields = ["plate", "seats", "driver_name", "driver_phone", "is_active"]


class ItineraryForm(CheckedInput, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    departs_at = forms.TimeField(label=_("Departure"), widget=forms.TimeInput(attrs={"type": "time"}))
    returns_at = forms.TimeField(label=_("Return"), widget=forms.TimeInput(attrs={"type": "time"}))
    departure_place = forms.CharField(label=_("Departure place"), max_length=255,
                                      initial="Sở Thông tin và Truyền thông tỉnh Hà Tĩnh")
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=Vehicle.objects.filter(is_active=True),
                                     required=False)
    people = forms.ModelMultipleChoiceField(label=_("People"), queryset=TeamMembership.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)
    confirm_warnings = forms.BooleanField(label=_("I have read the warnings: save anyway"), required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = (TeamMembership.objects.filter(team__campaign=campaign)
                                          .select_related("user", "organization", "team"))
        self.fields["people"].label_from_instance = lambda m: (
            f"{display_name(m.user)} — {m.organization.short_name or m.organization.name}"
            f" ({m.team.name})")


class VisitLineForm(CheckedInput, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    starts = forms.TimeField(label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("To"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["unit"].queryset = targets

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unit") and not (cleaned.get("starts") and cleaned.get("ends")):
            raise ValidationError(_("Give the visit's start and end times."))
        return cleaned


# A formset builds as many forms as the request's TOTAL_FORMS says, up to absolute_max
# (max_num + 1000 unless set): bounded to what a page shows, a forged count costs nothing.
VisitLineFormSet = forms.formset_factory(VisitLineForm, extra=0, max_num=12, absolute_max=12)


def planned_visits(formset, date: datetime.date) -> list[PlannedVisit]:
    tz = timezone.get_current_timezone()
    return [PlannedVisit(unit=form.cleaned_data["unit"],
                         starts_at=datetime.datetime.combine(date, form.cleaned_data["starts"], tzinfo=tz),
                         ends_at=datetime.datetime.combine(date, form.cleaned_data["ends"], tzinfo=tz))
            for form in formset if form.cleaned_data.get("unit")]


class NominationForm(CheckedInput, forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ["organization", "letter_number", "letter_date", "received_on"]
        widgets = {"letter_date": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
                   "received_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            kind__in=[Organization.Kind.HEALTH, Organization.Kind.DISTRICT_VHTT, Organization.Kind.OTHER])


class NomineeForm(CheckedInput, forms.ModelForm):
    class Meta:
        model = Nominee
        fields = ["full_name", "title", "phone", "email"]


NomineeFormSet = forms.inlineformset_factory(Nomination, Nominee, form=NomineeForm, extra=2, can_delete=False,
                                             max_num=20, absolute_max=20)


class CancelVisitForm(CheckedInput, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    confirm = confirmation_field(_("I confirm: cancel this visit"))


class ResendForm(CheckedInput, forms.Form):
    """Sending a schedule that was already sent: every person is told again."""

    confirm = confirmation_field(_("I confirm: send the schedule again to every person"))


class SubmissionForm(CheckedInput, forms.Form):
    """The submission's key (one submission per key) and the statement typed with it."""

    key = forms.CharField(max_length=64)
    shortcomings = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    unit_statement = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    recommendations = forms.CharField(required=False, strip=False, widget=forms.Textarea)

    def statement(self) -> dict:
        """The statement's texts the request carries: an absent one is left as it is."""
        return {name: self.cleaned_data[name] for name in ("shortcomings", "unit_statement", "recommendations")
                if name in self.data}


class UnitNoticeForm(CheckedInput, forms.Form):
    method = forms.ChoiceField(label=_("How"), choices=[
        (Visit.NoticePolicy.PHONE, Visit.NoticePolicy.PHONE.label),
        (Visit.NoticePolicy.LETTER, Visit.NoticePolicy.LETTER.label)])
    contact = forms.CharField(label=_("Person contacted at the unit"), max_length=120)
    at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}))


class DrawForm(CheckedInput, forms.Form):
    seed = forms.IntegerField(label=_("Seed"), min_value=0, help_text=_("The same seed and parameters give the "
                                                                        "same list."))
    per_stratum = forms.IntegerField(label=_("Units per district and category"), min_value=1, required=False)
    proportion = forms.DecimalField(label=_("Or a proportion of each stratum (0–1)"), min_value=0, max_value=1,
                                    decimal_places=3, required=False)
    no_qr_weight = forms.DecimalField(label=_("Extra weight for units without a location QR"), min_value=1,
                                      max_value=100, initial=1, decimal_places=2)

    def parameters(self) -> DrawParameters:
        """The draw's parameters as typed; DrawParameters refuses a bad combination
        (ValidationError with the reason)."""
        data = self.cleaned_data
        return DrawParameters(per_stratum=data["per_stratum"],
                              proportion=float(data["proportion"]) if data["proportion"] is not None else None,
                              no_qr_weight=float(data["no_qr_weight"]))


class AcceptNomineeForm(CheckedInput, forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    position = forms.ChoiceField(label=_("Position"), choices=TeamMembership.Position.choices,
                                 initial=TeamMembership.Position.MEMBER)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = campaign.teams.all()


class ScheduleFilterForm(CheckedInput, forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=None, required=False)
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=None, required=False)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    week = forms.BooleanField(label=_("The whole week"), required=False)

    def __init__(self, *args, campaign, user, **kwargs):
        """The choices are scoped like the itineraries: an inspector is offered the people
        of their own teams and the cars of the itineraries they may see."""
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts()
        teams = Team.objects.visible_to(user).filter(campaign=campaign)
        self.fields["person"].queryset = (get_user_model().objects.filter(team_memberships__team__in=teams)
                                          .distinct().order_by("first_name", "username"))
        self.fields["vehicle"].queryset = Vehicle.objects.visible_to(user)
        self.fields["person"].label_from_instance = display_name
        style_fields(self)

    def filter(self, itineraries):
        """District, person and vehicle: the calendar and the list both follow them."""
        if not self.is_valid():
            return itineraries
        data = self.cleaned_data
        if data["district"]:
            itineraries = itineraries.filter(visits__unit__commune__parent=data["district"])
        if data["person"]:
            itineraries = itineraries.filter(people__user=data["person"])
        if data["vehicle"]:
            itineraries = itineraries.filter(vehicle=data["vehicle"])
        return itineraries.distinct()

    def filter_period(self, itineraries):
        """A day, or the Monday-to-Sunday week around it: the list only."""
        if not self.is_valid() or not self.cleaned_data["day"]:
            return itineraries
        day = self.cleaned_data["day"]
        if self.cleaned_data["week"]:
            monday = day - datetime.timedelta(days=day.weekday())
            return itineraries.filter(date__range=(monday, monday + datetime.timedelta(days=6)))
        return itineraries.filter(date=day)


class StartVisitForm(CheckedInput, forms.Form):
    """The phone's location, sent only if the inspector allows it."""

    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180)
    accuracy = forms.IntegerField(min_value=0, max_value=100_000, required=False)


class EvidenceForm(CheckedInput, forms.Form):
    photo = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))
    item = forms.ModelChoiceField(label=_("For the question"), queryset=None, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    # The camera's time is always read (inspections/evidence.py); its place only with this box.
    keep_metadata = forms.BooleanField(label=_("Keep where the photo was taken (its GPS)"), required=False)

    def __init__(self, *args, items, listed=None, **kwargs):
        """`items`: the queryset a sent photo's question is checked against; `listed`: the
        same items already read (the visit's page), offered without reading them again."""
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        field.queryset = items
        field.label_from_instance = lambda item: f"{item.code}. {item.text[:60]}"
        if listed is not None:
            field.choices = [("", field.empty_label), *((item.pk, field.label_from_instance(item)) for item in listed)]


class EvidencePlaceForm(CheckedInput, forms.Form):
    """What the phone may send with a photo, beside the photo form: the moment it was
    taken and where the phone was (inspections/evidence.py decides what to believe)."""

    captured_at = forms.DateTimeField(required=False)  # ISO 8601 from the phone, as Django reads it
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90)
    longitude = forms.DecimalField(max_digits=10, decimal_places=6, required=False, min_value=-180, max_value=180)


class FiguresForm(CheckedInput, forms.Form):
    """The unit's figures. Bounds far above any unit of the province, well below what the
    database holds: a typo of a few extra digits is refused, not stored."""

    staff_total = forms.IntegerField(label=_("Staff"), min_value=0, max_value=STAFF_MAX, required=False)
    staff_with_app = forms.IntegerField(label=_("Staff with PC-Covid installed"), min_value=0, max_value=STAFF_MAX,
                                        required=False)
    qr_codes = forms.IntegerField(label=_("Location QR codes"), min_value=0, max_value=COUNT_MAX, required=False)
    scans_last_7_days = forms.IntegerField(label=_("Scans in the last 7 days"), min_value=0, max_value=SCANS_MAX,
                                           required=False)
    portal_accounts = forms.IntegerField(label=_("Portal accounts"), min_value=0, max_value=COUNT_MAX,
                                         required=False)
    taken_at = forms.DateTimeField(label=_("Figures taken at"), required=False,
                                   widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}))

    def clean(self):
        # An absent field is not "erase": the figures change only by the page's whole form.
        absent = [name for name in self.fields if name not in self.data]
        if absent:
            raise ValidationError(_("The figures form was sent incomplete; nothing was changed."))
        return super().clean()


class CorrectionForm(CheckedInput, forms.Form):
    description = forms.CharField(label=_("Correction required"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))


class FollowUpStepForm(CheckedInput, forms.Form):
    kind = forms.ChoiceField(label=_("Step"), choices=FollowUpStep.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    new_deadline = forms.DateField(label=_("New deadline"), required=False,
                                   widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    competent_body = forms.CharField(label=_("Competent body (for a proposal)"), max_length=255, required=False)
    evidence = forms.CharField(label=_("Evidence (document number, photo…)"), max_length=255, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# ----------------------------------------------------------------------------------------
# Campaigns (issue #15.1)
# ----------------------------------------------------------------------------------------

DATE_WIDGET = {"placeholder": "dd/mm/yyyy"}


class CampaignForm(CheckedInput, forms.ModelForm):
    """A campaign's plan: what the plan document says, the bodies asked to nominate and
    the published checklist version its visits start with."""

    class Meta:
        model = Campaign
        fields = ["number", "title", "legal_basis", "legal_basis_number", "legal_basis_date", "issuing_body",
                  "signer", "starts_on", "ends_on", "form", "nomination_deadline", "nominating_bodies",
                  "checklist", "max_visits_per_day"]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "legal_basis_date": forms.DateInput(attrs=DATE_WIDGET),
            "starts_on": forms.DateInput(attrs=DATE_WIDGET),
            "ends_on": forms.DateInput(attrs=DATE_WIDGET),
            "nomination_deadline": forms.DateInput(attrs=DATE_WIDGET),
            "nominating_bodies": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = ChecklistTemplate.objects.filter(published_at__isnull=False)
        self.fields["checklist"].help_text = _("Only a published version can be chosen.")
        self.fields["nominating_bodies"].queryset = Organization.objects.exclude(
            kind=Organization.Kind.DIC_DIVISION).select_related("district")

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The period must end on or after the day it starts."))
        return cleaned

    def plan(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "nominating_bodies"}


class CampaignCloseForm(CheckedInput, forms.Form):
    confirm = confirmation_field(_("I understand that a closed campaign can no longer be changed."))


# ----------------------------------------------------------------------------------------
# The checklist builder (issue #15.2)
# ----------------------------------------------------------------------------------------


def parse_rule(text: str, kind: str):
    """A rule by answer as a coordinator types it: empty (no rule), an answer ("Không",
    "no", a choice) or, for a number, a bound ("< 50", "> 100")."""
    text = (text or "").strip()
    if not text:
        return None
    if text[0] in "<>":
        try:
            bound = float(text[1:].strip().replace(",", "."))
        except ValueError:
            raise ValidationError(_("Write a bound as “< 50” or “> 100”.")) from None
        if bound != bound or abs(bound) > NUMBER_ANSWER_MAX:  # NaN or out of range
            raise ValidationError(_("Write a bound as “< 50” or “> 100”."))
        return {"lt" if text[0] == "<" else "gt": int(bound) if bound.is_integer() else bound}
    return yes_no_code(text) if kind == ChecklistItem.Kind.YES_NO else text


def rule_text(rule) -> str:
    """A stored rule as the form shows it again."""
    if rule is None:
        return ""
    if isinstance(rule, dict):
        return f"< {rule['lt']}" if "lt" in rule else f"> {rule['gt']}"
    return str(rule)


class ChecklistForm(CheckedInput, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)


class SectionForm(CheckedInput, forms.Form):
    code = forms.SlugField(label=_("Criterion code"), max_length=4, help_text=_("a, b or c, as in the plan."))
    title = forms.CharField(label=_("Title"), max_length=255)
    title_en = forms.CharField(label=_("Title in English"), max_length=255, required=False)


class ItemForm(CheckedInput, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=10)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    text_en = forms.CharField(label=_("Question in English"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(label=_("Help"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    help_text_en = forms.CharField(label=_("Help in English"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=ChecklistItem.Kind.choices)
    choices = forms.CharField(label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("One per line, for a choice question."))
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    categories = forms.ModelMultipleChoiceField(
        label=_("Applies to"), required=False, queryset=UnitCategory.objects.all(),
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every kind of unit."))
    noncompliant_when = forms.CharField(
        label=_("Non-compliant when the answer is"), required=False, max_length=60,
        help_text=_("Counts in the conclusion of its criterion. An answer (Có, Không, a choice) or a bound "
                    "(< 50). Empty: not counted."))
    photo_when = forms.CharField(label=_("Photo required when the answer is"), required=False, max_length=60)
    note_when = forms.CharField(label=_("Note required when the answer is"), required=False, max_length=60)

    RULES = {"noncompliant_when": "noncompliant_if", "photo_when": "photo_required_if",
             "note_when": "note_required_if"}

    @classmethod
    def initial_for(cls, item: ChecklistItem) -> dict:
        initial = {name: getattr(item, name) for name in ("code", "text", "text_en", "help_text", "help_text_en",
                                                          "kind", "required")}
        initial["choices"] = "\n".join(item.choices or [])
        initial["categories"] = list(item.categories.all())
        initial.update({field: rule_text(getattr(item, rule)) for field, rule in cls.RULES.items()})
        return initial

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind", ChecklistItem.Kind.YES_NO)
        for field, rule in self.RULES.items():
            try:
                cleaned[rule] = parse_rule(cleaned.get(field, ""), kind)
            except ValidationError as error:
                self.add_error(field, error)
        cleaned["choices"] = [line.strip() for line in cleaned.get("choices", "").splitlines() if line.strip()]
        return cleaned

    def item_fields(self) -> dict:
        data = self.cleaned_data
        return {"code": data["code"], "categories": data["categories"], "text": data["text"],
                "text_en": data["text_en"], "help_text": data["help_text"], "help_text_en": data["help_text_en"],
                "kind": data["kind"], "choices": data["choices"] if data["kind"] == ChecklistItem.Kind.CHOICE else [],
                "required": data["required"], **{rule: data[rule] for rule in self.RULES.values()}}


class XLSFormUploadForm(CheckedInput, forms.Form):
    workbook = forms.FileField(label=_("XLSForm workbook (.xlsx)"),
                               widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
class SignatureForm(CheckedInput, forms.Form):
    """A signature without the phone's drawing pad: a photo of it signed on paper."""

    role = forms.ChoiceField(label=_("Signs as"), choices=Signature.Role.choices, widget=forms.RadioSelect)
    signer_name = forms.CharField(label=_("Signer's full name"), max_length=120)
    image = forms.FileField(label=_("Or a photo of the signature on paper"))


class QrScanForm(CheckedInput, forms.Form):
    """The code read at the door, typed (or scanned: the page's script sends the method)."""

    code = forms.CharField(label=_("Or type the code read (without the camera)"), max_length=512)
    method = forms.ChoiceField(choices=QrScan.Method.choices, required=False)


class VisitCodeForm(CheckedInput, forms.Form):
    """The code printed on a paper checklist, typed or scanned."""

    code = forms.CharField(label=_("Code of the paper checklist"), max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": "KT-123-ABCD2345", "autocomplete": "off"}))


class PaperStartForm(CheckedInput, forms.Form):
    """When the visit began, as the paper says, for a visit the phone never started."""

    started_time = forms.TimeField(label=_("Started at (as written on the paper)"), required=False,
                                   widget=forms.TimeInput(attrs={"type": "time"}))
