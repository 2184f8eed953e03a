from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from smevoucher.core import clock


def yuan_to_fen(value: str) -> int:
    """Yuan text ("1,234.56") → integer fen at the edge; no floats (CONVENTIONS §4)."""
    text = (value or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    if len(text) > 16:  # ¥10,000,000,000,000.00 is far beyond any batch
        raise ValidationError(_("The amount is too large."))
    whole, _dot, cents = text.partition(".")
    if not whole.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
        raise ValidationError(_("Enter an amount in yuan, with at most two decimals, e.g. 5000 or 5000.50."))
    return int(whole) * 100 + int((cents + "00")[:2])


class YuanField(forms.Field):
    """Yuan as typed (at most two decimals) → integer fen."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value // 100}.{value % 100:02d}"
        return value

    def to_python(self, value):
        value = str(value or "").strip()
        return None if not value else yuan_to_fen(value)


class PercentField(forms.Field):
    """A percentage with up to two decimals → basis points."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value // 100}" if value % 100 == 0 else f"{value // 100}.{value % 100:02d}"
        return value

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        try:
            return yuan_to_fen(value.rstrip("%").strip())
        except ValidationError as exc:
            raise ValidationError(_("Enter a percentage, e.g. 50.")) from exc


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BatchForm(forms.Form):
    name = forms.CharField(label=_("Batch name"), max_length=120)
    total_fen = YuanField(label=_("Total amount (yuan)"))
    claim_start = forms.DateTimeField(label=_("Claim window opens"), widget=LocalDateTimeInput())
    claim_end = forms.DateTimeField(label=_("Claim window closes"), widget=LocalDateTimeInput())
    service_start = forms.DateField(label=_("Qualifying service period from"), widget=DateInput())
    service_end = forms.DateField(label=_("Qualifying service period until"), widget=DateInput())
    validity_end = forms.DateField(label=_("Valid until"), widget=DateInput())
    coverage_limit_bp = PercentField(label=_("Coverage limit per contract (percent of the invoice)"), initial=5000)
    partial_last = forms.BooleanField(
        label=_("The last claim may receive a partial amount"), required=False, initial=True
    )

    def add_service_errors(self, fields: dict) -> None:
        for name, messages in fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ClaimForm(forms.Form):
    amount_fen = YuanField(label=_("Amount requested (yuan)"))


class QuotaForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=lambda: clock.today().year)
    annual_quota_fen = YuanField(label=_("Annual quota per enterprise (yuan)"))
    reclaim_gives_back_quota = forms.BooleanField(
        label=_("Vouchers reclaimed for non-use (30-day deadlines) give the quota back"), required=False, initial=True
    )
