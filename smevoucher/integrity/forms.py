from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.core.lists import ListFilterForm

from .models import RiskFlag
from .signals import kind_choices


class FlagFilterForm(ListFilterForm):
    kind = forms.ChoiceField(label=_("Signal"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, statuses=RiskFlag.Status.choices, search_help=_("Flag number, enterprise or provider"))
        self.fields["kind"].choices = [("", _("All signals")), *kind_choices()]
        self.fields["kind"].widget.attrs["class"] = "form-select form-select-sm"

    def apply_to(self, flags):
        flags = self.apply(
            flags,
            search=("enterprise__organisation__name", "provider__organisation__name"),
            number=("FX", "pk"),
        )
        if self.is_valid() and self.cleaned_data["kind"]:
            flags = flags.filter(kind=self.cleaned_data["kind"])
        return flags


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
