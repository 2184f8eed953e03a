from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.documents.forms import KeepsMaterials, MaterialField
from smevoucher.documents.models import Kind


class NewApplicationForm(forms.Form):
    city = forms.TypedChoiceField(label=_("Issuing city"), coerce=int)

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = cities


class PaymentsForm(forms.Form):
    payments = forms.TypedMultipleChoiceField(label=_("Confirmed payments"), coerce=int)

    def __init__(self, *args, payments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payments"].choices = payments


class ScansForm(KeepsMaterials, forms.Form):
    """The stamped scans of both generated forms and the city's extra redemption materials."""

    application_form = MaterialField(
        label=_("Stamped scan of the application form"), required=False, kind=Kind.APPLICATION_FORM
    )
    summary_table = MaterialField(
        label=_("Stamped scan of the usage summary table"), required=False, kind=Kind.SUMMARY_TABLE
    )

    def __init__(self, *args, extra_materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_names = list(extra_materials)
        for i, name in enumerate(self.extra_names):
            self.fields[f"extra_{i}"] = MaterialField(label=name, required=False, kind=Kind.CITY_EXTRA)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reasons for rejection"), widget=forms.Textarea(attrs={"rows": 2}))


class PayoutForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid out on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Payout reference"), max_length=60)


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=12)
