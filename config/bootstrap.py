"""Bootstrap 5 classes for hand-laid filter forms (crispy-forms styles the others)."""

from django import forms


def style_fields(form: forms.Form) -> None:
    """Give each widget the Bootstrap class of its kind: check box, select or input."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["class"] = "form-check-input"
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs["class"] = "form-select"
        else:
            field.widget.attrs["class"] = "form-control"
