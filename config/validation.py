"""What every form of the product accepts from a person: text without control characters,
lengths and numbers within bounds. One place, applied to every form by `CheckedInput`, and
to the few texts a view reads from the request itself by `checked_text`."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils.translation import gettext_lazy as _

# A long text (a note, a statement, a comment, a reason): ample for what is written in the
# field, far below what would fill a page or the database.
LONG_TEXT_MAX = 5_000
# A section of the provincial report (strengths, shortcomings…): several pages.
REPORT_TEXT_MAX = 20_000
# A one-line text whose model sets no length.
SHORT_TEXT_MAX = 255
# The ceiling of PostgreSQL's integer (Django's PositiveIntegerField): any number a form
# takes stays below it unless the form sets a tighter, realistic bound of its own.
INTEGER_MAX = 2_147_483_647
# Realistic ceilings of a unit's figures (Visit, Unit): no office, market or school of the
# province comes near them, and a few mistyped extra digits land above them.
STAFF_MAX = 1_000_000
COUNT_MAX = 100_000  # location QR codes, portal accounts
SCANS_MAX = 100_000_000  # scans in seven days
NUMBER_ANSWER_MAX = SCANS_MAX  # a checklist's number answer: the largest it asks for is a count of scans

# C0 and C1 control characters and DEL: NUL cannot be stored by PostgreSQL at all, the
# others are never typed and break documents and spreadsheets. Tab and line breaks are
# the only ones a multi-line text keeps.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_text(value: str, *, multiline: bool = True) -> None:
    """Refuse a text holding a control character (a tab or line break too, on one line)."""
    if (_CONTROL if multiline else _CONTROL_OR_BREAK).search(value or ""):
        raise ValidationError(
            _("The text contains a control character (such as NUL) that cannot be saved; remove it and try again.")
            if multiline else
            _("The text contains a control character or a line break that cannot be saved on one line; "
              "remove it and try again."), code="control_character")


def _bound_text(field: forms.CharField, long_text_max: int) -> None:
    multiline = isinstance(field.widget, forms.Textarea)
    if field.max_length is None:
        field.max_length = long_text_max if multiline else SHORT_TEXT_MAX
        field.validators.append(MaxLengthValidator(field.max_length))
        field.widget.attrs.setdefault("maxlength", str(field.max_length))
    field.validators.append(lambda value: check_text(value, multiline=multiline))


def bound_number(field: forms.IntegerField, maximum: int) -> None:
    """Give a number field a ceiling, or a tighter one than it has."""
    if field.max_value is None or field.max_value > maximum:
        field.max_value = maximum
        field.validators.append(MaxValueValidator(maximum))
        field.widget.attrs["max"] = str(maximum)


def check_fields(form: forms.BaseForm, *, long_text_max: int = LONG_TEXT_MAX) -> None:
    """Bound every text and number field of the form (DecimalField and FloatField are
    IntegerFields in Django; NaN and infinity are refused by them already)."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            _bound_text(field, long_text_max)
        elif isinstance(field, forms.IntegerField):
            bound_number(field, INTEGER_MAX)  # a number without a bound of its own


class CheckedInput:
    """Mixin for every form of the product: its texts and numbers bounded (check_fields)."""

    long_text_max = LONG_TEXT_MAX

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        check_fields(self, long_text_max=self.long_text_max)


class LongText(CheckedInput, forms.Form):
    text = forms.CharField(required=False, strip=False, widget=forms.Textarea)


def checked_text(data, name: str, default: str = "") -> str:
    """A multi-line text a view reads from request.POST for a service (a note, a reason,
    a comment): checked like a form's, ValidationError with the message otherwise."""
    form = LongText({"text": data.get(name, default)})
    if not form.is_valid():
        raise ValidationError(form.errors["text"])
    return form.cleaned_data["text"]


class ConfirmationInput(forms.CheckboxInput):
    """The box of an irreversible action: ticked only by its own value, so that no stray
    or forged value (a "1e400", a NUL) confirms an approval or a second sending."""

    VALUE = "xac-nhan"

    def __init__(self, attrs=None):
        super().__init__({"class": "form-check-input", **(attrs or {}), "value": self.VALUE})

    def value_from_datadict(self, data, files, name):
        return data.get(name) == self.VALUE


def confirmation_field(label) -> forms.BooleanField:
    return forms.BooleanField(label=label, widget=ConfirmationInput,
                              error_messages={"required": _("Tick the box to confirm.")})
