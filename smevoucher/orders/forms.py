from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.core.forms import YuanField
from smevoucher.documents.forms import MaterialField

DATE = forms.DateInput(attrs={"type": "date"})


class OrderForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("Price option"), coerce=int)
    batch = forms.TypedChoiceField(label=_("Pay with vouchers of"), coerce=int)
    expected_voucher_fen = YuanField(label=_("Expected voucher amount (yuan)"))
    note = forms.CharField(label=_("Note to the provider"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, tiers=(), batches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = list(tiers)
        self.fields["batch"].choices = list(batches)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ContractForm(forms.Form):
    files = MaterialField(label=_("Service contract (agreement)"))


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Service completed on"), widget=DATE)


class PaymentForm(forms.Form):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=40)
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DATE)
    invoice_fen = YuanField(label=_("Invoice amount (yuan)"))
    own_share_fen = YuanField(label=_("Own share paid by bank transfer (yuan)"))
    voucher_fen = YuanField(label=_("Voucher amount (yuan)"))
    invoice = MaterialField(label=_("Invoice (the full amount)"))
    transfer_proof = MaterialField(label=_("Bank-transfer proof of your own share"))

    def __init__(self, *args, extra_materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_names = list(extra_materials)
        for i, name in enumerate(self.extra_names):
            self.fields[f"extra_{i}"] = MaterialField(label=name)


class CityMaterialsForm(forms.Form):
    payment = forms.CharField(
        label=_("Extra materials with a voucher payment (one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    redemption = forms.CharField(
        label=_("Extra materials with a redemption application (one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
