from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .money import hundredths_text, parse_hundredths


def add_domain_errors(form, exc: DomainError, *, rename: dict | None = None) -> None:
    """Show a service's refusal on the form: field messages beside their fields, the rest on top."""
    rename = rename or {}
    for field, problems in exc.fields.items():
        target = rename.get(field, field)
        for problem in problems:
            form.add_error(target if target in form.fields else None, problem)
    if not exc.fields:
        form.add_error(None, str(exc.message))


class YuanField(forms.Field):
    """Yuan typed as text ("1,234.56", "¥800") → integer fen at the edge (CONVENTIONS §4)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    invalid_message = _("Enter an amount in yuan with at most two decimals, e.g. 3000 or 3000.50.")

    def prepare_value(self, value):
        return hundredths_text(value) if isinstance(value, int) else value

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        if len(value) > 20:  # ¥1,000,000,000,000.00 and beyond is no amount of this scheme
            raise ValidationError(_("The amount is too large."), code="too_large")
        try:
            return parse_hundredths(value)
        except ValueError:
            raise ValidationError(self.invalid_message, code="invalid") from None


class PercentField(YuanField):
    """A percentage with at most two decimals ("50", "33.33%") → basis points."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})
    invalid_message = _("Enter a percentage, e.g. 50.")


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is read in Asia/Shanghai."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
