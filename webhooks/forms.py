from django import forms
from django.utils.translation import gettext_lazy as _

from config.validation import CheckedInput
from webhooks.models import Event


class SubscriptionForm(CheckedInput, forms.Form):
    url = forms.URLField(label=_("Address (URL)"), max_length=500, assume_scheme="https",
                         help_text=_("Where the events are posted, e.g. https://he-thong-tinh.example/webhooks."))
    events = forms.MultipleChoiceField(label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
