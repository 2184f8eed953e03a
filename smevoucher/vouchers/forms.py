from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import City
from smevoucher.core import clock
from smevoucher.core.forms import LocalDateTimeInput, PercentField, YuanField

from .models import (
    DEFAULT_CAP_BP,
    DEFAULT_CONTRACT_DEADLINE_DAYS,
    DEFAULT_COVERAGE_LIMIT_BP,
    DEFAULT_ORDER_DEADLINE_DAYS,
)


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
    coverage_limit_bp = PercentField(
        label=_("Coverage limit per contract (percent of the invoice)"),
        required=False,
        help_text=_("Empty: the policy's limit for the year. It may not be higher."),
    )
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
        label=_("Vouchers reclaimed for non-use (order and contract deadlines) give the quota back"),
        required=False,
        initial=True,
    )


class PolicyForm(forms.Form):
    """R19: the province's policy numbers for a year, province-wide or for one city."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=lambda: clock.today().year)
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.all(),
        required=False,
        empty_label=_("Every city (province-wide)"),
        help_text=_("Choose a city only where its own notice sets different values."),
    )
    cap_bp = PercentField(label=_("Provider cap (percent of the city's annual total)"), initial=DEFAULT_CAP_BP)
    order_deadline_days = forms.IntegerField(
        label=_("Days to order after the claim window ends"),
        min_value=1,
        max_value=366,
        initial=DEFAULT_ORDER_DEADLINE_DAYS,
    )
    contract_deadline_days = forms.IntegerField(
        label=_("Days to upload the contract after the claim window ends"),
        min_value=1,
        max_value=366,
        initial=DEFAULT_CONTRACT_DEADLINE_DAYS,
    )
    coverage_limit_bp = PercentField(
        label=_("Most vouchers per contract (percent of the invoice)"), initial=DEFAULT_COVERAGE_LIMIT_BP
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=300, help_text=_("For example the notice that sets these values.")
    )
