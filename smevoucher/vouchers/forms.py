from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.core import clock
from smevoucher.core.forms import LocalDateTimeInput, PercentField, YuanField


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
