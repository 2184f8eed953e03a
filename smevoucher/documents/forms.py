from typing import NamedTuple

from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.core.errors import DomainError

from .models import Document, Kind

KEPT, DROP = "__kept", "__drop"  # suffixes of a material field's hidden "kept document" and "remove it" inputs


class MaterialValue(NamedTuple):
    """What a material field posts: newly chosen files, and the id of a document kept from an earlier refusal."""

    files: list
    kept: str = ""
    drop: bool = False


class MaterialInput(forms.ClearableFileInput):
    """Several files for one material, put in order by the user (drag, or up/down) before upload; the
    browser submits them in that order. Without JavaScript, the order of selection is kept. A material kept
    from a refused form is shown attached (a hidden id), with a way to remove it or replace it by new files."""

    allow_multiple_selected = True
    template_name = "documents/widgets/material_input.html"
    anchor_suffix = "_picker"  # the error summary links to the visible file picker, not the hidden input

    def __init__(self, attrs=None):
        super().__init__({"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        chosen = files.getlist(name) if hasattr(files, "getlist") else [files.get(name)]
        return MaterialValue(
            [f for f in chosen if f], str(data.get(name + KEPT) or "")[:20], bool(data.get(name + DROP))
        )

    def value_omitted_from_data(self, data, files, name):
        return name not in files and name + KEPT not in data

    def format_value(self, value):
        return value if isinstance(value, Document) else None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(kept=self.format_value(value), kept_name=name + KEPT, drop_name=name + DROP)
        return context


class MaterialField(forms.FileField):
    """A form field whose cleaned value is the ordered list of uploaded files (the documents service checks and
    merges them), or — after a refused form — the user's own pending document of this field's kind."""

    widget = MaterialInput

    def __init__(self, *, kind: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind
        self.actor = None  # set by KeepsMaterials before cleaning

    def clean(self, data, initial=None):
        value = data if isinstance(data, MaterialValue) else MaterialValue([f for f in (data or []) if f])
        if value.files:
            return value.files
        if value.kept and not value.drop:
            document = self.pending(value.kept)
            if document is None:
                raise forms.ValidationError(
                    _("The file kept from your last try is gone; choose it again."), code="gone"
                )
            return document
        if self.required:
            raise forms.ValidationError(_("Choose at least one file."), code="required")
        return []

    def pending(self, document_id) -> Document | None:
        from .selectors import pending_document

        return pending_document(actor=self.actor, document_id=document_id, kind=self.kind)

    def bound_data(self, data, initial):
        if isinstance(data, MaterialValue) and data.kept and not data.drop and not data.files:
            return self.pending(data.kept) or initial
        return initial

    def has_changed(self, initial, data):
        return bool(isinstance(data, MaterialValue) and (data.files or data.kept))


class KeepsMaterials:
    """A form whose checked uploads survive a refusal (issue 13): `keep_materials()` stores every material whose
    files pass the document checks as the user's pending document and re-renders it attached, so the user never
    uploads the same file twice. A kept id is accepted only for the user's own pending document of the kind."""

    def __init__(self, *args, actor=None, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)

    def material_fields(self):
        return [(name, field) for name, field in self.fields.items() if isinstance(field, MaterialField)]

    def full_clean(self):
        for _name, field in self.material_fields():
            field.actor = self.actor
        super().full_clean()

    def keep_materials(self) -> dict[str, Document]:
        """Store the chosen files of every material field as pending documents (each in its own transaction, so
        they stay when the service then refuses the form); a refused file is reported beside its field. Returns
        the documents by field name, kept ones from an earlier try included."""
        from .services import document_upload

        if not self.is_bound:
            return {}
        self.errors  # noqa: B018 (clean first)
        kept = {}
        data, files = self.data.copy(), self.files.copy()  # copies: a request's QueryDicts are immutable
        for name, field in self.material_fields():
            value = self.cleaned_data.get(name)
            if isinstance(value, Document):
                kept[name] = value
                continue
            if not value or field.kind is None or getattr(self.actor, "organisation_id", None) is None:
                continue
            key = self.add_prefix(name)
            try:
                document = document_upload(actor=self.actor, kind=field.kind, files=value)
            except DomainError as exc:
                self.add_error(name, [str(m) for ms in exc.fields.values() for m in ms] or str(exc.message))
                continue
            kept[name] = self.cleaned_data[name] = document
            data[key + KEPT] = str(document.pk)
            data.pop(key + DROP, None)
            files.pop(key, None)
        self.data, self.files = data, files
        return kept

    def is_valid_keeping_materials(self) -> bool:
        """is_valid(), with the checked uploads kept as pending documents whatever the outcome."""
        self.is_valid()
        self.keep_materials()
        return not self.errors


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
