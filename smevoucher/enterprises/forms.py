from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.forms import PasswordPairMixin
from smevoucher.accounts.models import City
from smevoucher.core.identity import validate_id_number, validate_phone
from smevoucher.core.uscc import validate_uscc
from smevoucher.documents.forms import KeepsMaterials, MaterialField
from smevoucher.documents.models import Kind

from .models import Industry, PriorityTag, Size


class SignUpForm(PasswordPairMixin, forms.Form):
    name = forms.CharField(
        label=_("Enterprise name"), max_length=200, help_text=_("The full name exactly as on the business licence.")
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        validators=[validate_uscc],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    city = forms.ModelChoiceField(
        label=_("City of registration"), queryset=City.objects.all(), empty_label=_("Choose a city")
    )
    size = forms.ChoiceField(label=_("Enterprise size"), choices=Size.choices)
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    legal_representative = forms.CharField(
        label=_("Legal representative"),
        max_length=60,
        error_messages={"required": _("Enter the legal representative's name as on the business licence.")},
    )
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
    registered_address = forms.CharField(label=_("Registered address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=60)
    contact_phone = forms.CharField(
        label=_("Contact telephone"),
        max_length=40,
        validators=[validate_phone],
        help_text=_("A mobile number, or a landline with its area code."),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)
    licence = MaterialField(
        label=_("Business licence (copy)"),
        help_text=_("PDF, JPG or PNG, at most 5 MB in all; a colour scan showing all four edges."),
    )

    ENTERPRISE_FIELDS = [
        "name",
        "uscc",
        "city",
        "size",
        "industry",
        "legal_representative",
        "legal_rep_id_number",
        "registered_address",
    ]
    ACCOUNT_FIELDS = ["contact_name", "contact_phone", "contact_email", "username", "password1", "password2"]

    def fieldsets(self):
        return [
            (_("Enterprise"), [self[name] for name in self.ENTERPRISE_FIELDS]),
            (_("Contact and account"), [self[name] for name in self.ACCOUNT_FIELDS]),
            (_("Business licence"), [self["licence"]]),
        ]

    def service_arguments(self) -> dict:
        data = self.password_arguments(dict(self.cleaned_data))
        data["licence_files"] = data.pop("licence")
        return data


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reasons for return"), widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for suspension"), widget=forms.Textarea(attrs={"rows": 3}))


class ReinstateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reinstatement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PriorityTagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Priority tags"),
        queryset=PriorityTag.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ResubmitForm(KeepsMaterials, forms.Form):
    """What an enterprise may correct before its city unit reviews it (again)."""

    name = forms.CharField(label=_("Enterprise name"), max_length=200)
    size = forms.ChoiceField(label=_("Enterprise size"), choices=Size.choices)
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=60)
    legal_rep_id_number = forms.CharField(
        label=_("Legal representative's ID number"),
        max_length=30,
        required=False,
        validators=[validate_id_number],
        help_text=_("Only to change it; the stored number is never shown."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    registered_address = forms.CharField(label=_("Registered address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=60)
    contact_phone = forms.CharField(label=_("Contact telephone"), max_length=40, validators=[validate_phone])
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    licence = MaterialField(
        label=_("New business licence"),
        required=False,
        help_text=_("Only if the licence must be added or replaced."),
        kind=Kind.BUSINESS_LICENCE,
    )

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {"licence_files": data.pop("licence") or None, "changes": data}


class ChangeRequestForm(KeepsMaterials, forms.Form):
    """Issue 17: what an approved enterprise asks its city unit to change; only the filled fields change."""

    new_name = forms.CharField(label=_("New enterprise name"), max_length=200, required=False)
    new_size = forms.ChoiceField(
        label=_("New enterprise size"), choices=[("", _("Unchanged")), *Size.choices], required=False
    )
    new_industry = forms.ChoiceField(
        label=_("New industry"), choices=[("", _("Unchanged")), *Industry.choices], required=False
    )
    new_legal_representative = forms.CharField(label=_("New legal representative"), max_length=60, required=False)
    new_legal_rep_id_number = forms.CharField(
        label=_("New legal representative's ID number"),
        max_length=30,
        required=False,
        validators=[validate_id_number],
        help_text=_("18-character resident ID, or a passport or travel permit number."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_registered_address = forms.CharField(label=_("New registered address"), max_length=200, required=False)
    new_contact_name = forms.CharField(label=_("New contact person"), max_length=60, required=False)
    new_contact_phone = forms.CharField(
        label=_("New contact telephone"), max_length=40, required=False, validators=[validate_phone]
    )
    new_contact_email = forms.EmailField(label=_("New contact e-mail"), required=False)
    explanation = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    licence = MaterialField(
        kind=Kind.BUSINESS_LICENCE,
        label=_("New business licence"),
        required=False,
        help_text=_("Required when the name, legal representative or registered address changes."),
    )

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["licence_files"] = data.pop("licence") or None
        return data


class ChangeDecisionForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the enterprise"),
        required=False,
        help_text=_("Required when refusing: say what is wrong."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
