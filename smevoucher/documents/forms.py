from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class MaterialInput(forms.ClearableFileInput):
    """Several files for one material, put in order by the user (drag, or up/down) before upload; the
    browser submits them in that order. Without JavaScript, the order of selection is kept."""

    allow_multiple_selected = True
    template_name = "documents/widgets/material_input.html"

    def __init__(self, attrs=None):
        super().__init__({"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png", **(attrs or {})})


class MaterialField(forms.FileField):
    """A form field whose cleaned value is the ordered list of uploaded files; the documents service checks
    and merges them."""

    widget = MaterialInput

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f]
        if self.required and not files:
            raise forms.ValidationError(_("Choose at least one file."), code="required")
        return files

    def bound_data(self, data, initial):
        return initial


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of material"), choices=Kind.choices)
    files = MaterialField(
        label=_("Files"),
        help_text=_(
            "PDF, JPG or PNG, at most 5 MB in all. Several pages or photos of one material are merged into one "
            "PDF in the order shown. Scans must be in colour, clear and show all four edges."
        ),
    )


class ReplaceForm(forms.Form):
    files = MaterialField(label=_("Files of the new version"))
