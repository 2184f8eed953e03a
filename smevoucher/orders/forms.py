from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.core.forms import YuanField
from smevoucher.core.money import format_yuan
from smevoucher.documents.forms import KeepsMaterials, MaterialField
from smevoucher.documents.models import Kind

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


class ContractForm(KeepsMaterials, forms.Form):
    files = MaterialField(label=_("Service contract (agreement)"), kind=Kind.CONTRACT)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Service completed on"), widget=DATE)


class PaymentForm(KeepsMaterials, forms.Form):
    """R11 with the arithmetic done: the voucher amount starts at the order's expected amount, the invoice amount
    at own share + vouchers (kept in step in the browser), and the difference from the expected amount shows."""

    invoice_number = forms.CharField(label=_("Invoice number"), max_length=40)
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DATE)
    own_share_fen = YuanField(label=_("Own share paid by bank transfer (yuan)"))
    voucher_fen = YuanField(label=_("Voucher amount (yuan)"))
    invoice_fen = YuanField(label=_("Invoice amount (yuan)"), help_text=_("Your own share plus the vouchers."))
    invoice = MaterialField(label=_("Invoice (the full amount)"), kind=Kind.INVOICE)
    transfer_proof = MaterialField(label=_("Bank-transfer proof of your own share"), kind=Kind.TRANSFER_PROOF)
    payer_account = forms.CharField(
        label=_("Account paid from"),
        max_length=40,
        required=False,
        help_text=_("The bank account number on the transfer proof."),
    )

    def __init__(self, *args, extra_materials=(), order=None, **kwargs):
        super().__init__(*args, **kwargs)
        # names, or the city's CityMaterial rows (their description becomes the help text)
        self.extra_names = [getattr(material, "name", material) for material in extra_materials]
        for i, material in enumerate(extra_materials):
            self.fields[f"extra_{i}"] = MaterialField(
                label=self.extra_names[i], kind=Kind.CITY_EXTRA, help_text=getattr(material, "description", "")
            )
        self.order = order
        if order is not None:
            self.fields["voucher_fen"].initial = order.expected_voucher_fen
            self.fields["voucher_fen"].help_text = _(
                "The order expects %(expected)s; a lower amount returns the difference to your wallet."
            ) % {"expected": format_yuan(order.expected_voucher_fen)}
            for name in ("own_share_fen", "voucher_fen", "invoice_fen"):
                self.fields[name].widget.attrs["data-payment"] = name
            self.fields["voucher_fen"].widget.attrs["data-expected"] = order.expected_voucher_fen
            self.fields["voucher_fen"].widget.attrs["data-coverage-bp"] = order.batch.coverage_limit_bp


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


class CityMaterialDescribeForm(forms.Form):
    description = forms.CharField(
        label=_("What it is"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("Why it is needed"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    template = forms.FileField(
        label=_("Template (optional)"),
        required=False,
        help_text=_("PDF, JPG or PNG, at most 5 MB: a form or sample the enterprise or provider fills in."),
    )
    remove_template = forms.BooleanField(label=_("Remove the current template"), required=False)
