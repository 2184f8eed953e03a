from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.forms import PasswordPairMixin
from smevoucher.accounts.models import City
from smevoucher.core.identity import validate_id_number, validate_phone
from smevoucher.core.uscc import validate_uscc
from smevoucher.documents.forms import KeepsMaterials, MaterialField
from smevoucher.documents.models import Kind

from .services import CHECKLIST

MATERIAL_HELP = _(
    "PDF, JPG or PNG, at most 5 MB in all; colour scans showing all four edges. Several pages are merged in the "
    "order shown."
)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProfileFields(forms.Form):
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        validators=[validate_uscc],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=60)
    legal_rep_id_number = forms.CharField(
        label=_("Legal representative's ID number"),
        max_length=30,
        required=False,
        validators=[validate_id_number],
        help_text=_(
            "18-character resident ID, or a passport or travel permit number. Kept only in a form that can be "
            "matched, never readable; the last 4 characters are shown."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Address"), max_length=200)
    contact_name = forms.CharField(label=_("Contact person"), max_length=60)
    contact_phone = forms.CharField(
        label=_("Contact telephone"),
        max_length=40,
        validators=[validate_phone],
        help_text=_("A mobile number, or a landline with its area code."),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    bank_name = forms.CharField(label=_("Bank"), max_length=100, help_text=_("The branch where the account is held."))
    bank_account_name = forms.CharField(label=_("Account name"), max_length=200)
    bank_account = forms.CharField(label=_("Bank account number"), max_length=40)
    commitment_date = forms.DateField(
        label=_("Date of the commitment letter"),
        widget=_date_widget(),
        help_text=_("The date written on the signed letter; it must be in the current year."),
    )

    def add_service_errors(self, fields: dict) -> None:
        for field, messages in fields.items():
            target = {"password": "password1", "__all__": None}.get(field, field)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


class RegistrationForm(PasswordPairMixin, ProfileFields):
    name = forms.CharField(label=_("Full name of the organisation"), max_length=200, widget=forms.HiddenInput)
    city = forms.ModelChoiceField(
        label=_("City of registration"),
        queryset=City.objects.all(),
        required=False,
        empty_label=_("Choose a city"),
    )
    licence = MaterialField(label=_("Business licence (copy) or other qualification licence"), help_text=MATERIAL_HELP)
    commitment_letter = MaterialField(
        label=_("Commitment letter"),
        help_text=_(
            "Signed by the legal representative by hand (not a signature stamp), dated this year, with a legible "
            "official seal."
        ),
    )
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, city_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if city_fixed:
            del self.fields["city"]  # a municipal platform or station belongs to its directory entry's city
        else:
            self.fields["city"].required = True

    def fieldsets(self):
        names = [
            (_("Organisation details"), ["city", "uscc", "legal_representative", "legal_rep_id_number", "address"]),
            (_("Bank account for redemption"), ["bank_name", "bank_account_name", "bank_account"]),
            (_("Required materials"), ["licence", "commitment_date", "commitment_letter"]),
            (
                _("Contact and account"),
                ["contact_name", "contact_phone", "contact_email", "username", "password1", "password2"],
            ),
        ]
        return [(legend, [self[n] for n in fields if n in self.fields]) for legend, fields in names]

    def service_arguments(self) -> dict:
        data = self.password_arguments(dict(self.cleaned_data))
        data["licence_files"] = data.pop("licence")
        data["commitment_files"] = data.pop("commitment_letter")
        data.setdefault("city", None)
        return data


class CorrectionForm(KeepsMaterials, ProfileFields):
    licence = MaterialField(
        label=_("New business licence"),
        required=False,
        help_text=_("Only if it must be replaced."),
        kind=Kind.BUSINESS_LICENCE,
    )
    commitment_letter = MaterialField(
        label=_("New commitment letter"),
        required=False,
        help_text=_("Only if it must be replaced."),
        kind=Kind.COMMITMENT_LETTER,
    )

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            "licence_files": data.pop("licence") or None,
            "commitment_files": data.pop("commitment_letter") or None,
            "changes": data,
        }


def _tick():
    return forms.CheckboxInput(attrs={"class": "form-check-input"})


class ReviewForm(forms.Form):
    hand_signature = forms.BooleanField(label=CHECKLIST[0][1], required=False, widget=_tick())
    seal_legible = forms.BooleanField(label=CHECKLIST[1][1], required=False, widget=_tick())
    date_current_year = forms.BooleanField(label=CHECKLIST[2][1], required=False, widget=_tick())
    reason = forms.CharField(label=_("Reasons for return"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def checklist(self) -> dict:
        return {key: bool(self.data.get(key)) for key, _label in CHECKLIST}


class ChangeRequestForm(KeepsMaterials, forms.Form):
    new_name = forms.CharField(label=_("New full name"), max_length=200, required=False)
    new_username = forms.RegexField(
        label=_("New user name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        required=False,
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    new_contact_name = forms.CharField(label=_("New contact person"), max_length=60, required=False)
    new_contact_phone = forms.CharField(
        label=_("New contact telephone"), max_length=40, required=False, validators=[validate_phone]
    )
    new_contact_email = forms.EmailField(label=_("New contact e-mail"), required=False)
    new_legal_representative = forms.CharField(label=_("New legal representative"), max_length=60, required=False)
    new_legal_rep_id_number = forms.CharField(
        label=_("New legal representative's ID number"),
        max_length=30,
        required=False,
        validators=[validate_id_number],
        help_text=_("18-character resident ID, or a passport or travel permit number."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_address = forms.CharField(label=_("New address"), max_length=200, required=False)
    new_bank_name = forms.CharField(label=_("New bank"), max_length=100, required=False)
    new_bank_account_name = forms.CharField(label=_("New account name"), max_length=200, required=False)
    new_bank_account = forms.CharField(label=_("New bank account number"), max_length=40, required=False)
    explanation = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    proof = MaterialField(
        kind=Kind.AUTHORISATION,
        label=_("Scanned proof"),
        help_text=_(
            "Colour scans of the business licence, the letter of authorisation and the commitment letter, as the "
            "change requires."
        ),
    )

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["proof_files"] = data.pop("proof")
        return data

    def add_service_errors(self, fields: dict) -> None:
        ProfileFields.add_service_errors(self, fields)


class DecisionForm(forms.Form):
    reply = forms.CharField(label=_("Reply to the provider"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(forms.Form):
    """Manual 三: a unit suspends a provider through a day, with a reason."""

    reason = forms.CharField(label=_("Reason for suspension"), widget=forms.Textarea(attrs={"rows": 3}))
    until = forms.DateField(
        label=_("Suspended until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReinstateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reinstatement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LetterRenewalForm(KeepsMaterials, forms.Form):
    """R3 each year: the commitment letter dated in the current year."""

    commitment_date = forms.DateField(
        label=_("Date of the commitment letter"),
        widget=_date_widget(),
        help_text=_("The date written on the signed letter; it must be in the current year."),
    )
    letter = MaterialField(
        kind=Kind.COMMITMENT_LETTER,
        label=_("Commitment letter"),
        help_text=_(
            "Signed by the legal representative by hand (not a signature stamp), dated this year, with a legible "
            "official seal."
        ),
    )

    def service_arguments(self) -> dict:
        return {"commitment_date": self.cleaned_data["commitment_date"], "letter_files": self.cleaned_data["letter"]}

    def add_service_errors(self, fields: dict) -> None:
        ProfileFields.add_service_errors(self, fields)
