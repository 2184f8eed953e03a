from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import City

from .models import Level


class CheckForm(forms.Form):
    name = forms.CharField(
        label=_("Full name of the organisation"),
        max_length=200,
        help_text=_("Exactly as on the business licence."),
    )


class EntryForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.all(),
        required=False,
        empty_label=_("None (national or provincial)"),
        help_text=_("Required for municipal platforms and service stations."),
    )
    recognition_year = forms.IntegerField(label=_("Year of recognition"), min_value=1990, max_value=2100)
    valid_until = forms.DateField(
        label=_("May receive vouchers until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    source = forms.CharField(label=_("Source document"), max_length=300, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
