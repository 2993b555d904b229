"""What a refused action tells the person: a rule's ValidationError, or a bound form's
errors, as one readable line for a message shown after a redirect."""

from django.core.exceptions import ValidationError


def error_text(error: ValidationError) -> str:
    """The messages of a service's refusal, in order, as one line."""
    return " ".join(error.messages)


def form_error_text(form) -> str:
    """A bound form's errors as one line."""
    return " ".join(" ".join(errors) for errors in form.errors.values())
