from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import City, Organisation
from smevoucher.core.forms import LocalDateTimeInput
from smevoucher.documents.forms import KeepsMaterials, MaterialField
from smevoucher.documents.models import Kind

from .models import EmailPreference, Notice


class NoticeForm(KeepsMaterials, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Notice.Category.choices)
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), required=False, empty_label=_("The whole province")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    published_at = forms.DateTimeField(
        label=_("Publish at"), required=False, widget=LocalDateTimeInput, help_text=_("Empty: now.")
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"), required=False, widget=LocalDateTimeInput, help_text=_("Empty: stays on the board.")
    )
    pinned = forms.BooleanField(label=_("Pin to the top"), required=False)
    attachment = MaterialField(label=_("Attachment"), required=False, kind=Kind.NOTICE_ATTACHMENT)

    def __init__(self, *args, city_choice: bool = True, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not city_choice or editing:
            del self.fields["city"]
        if editing:
            del self.fields["published_at"]
            self.fields["attachment"].label = _("Add an attachment")


class NoticeFilterForm(forms.Form):
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), required=False, to_field_name="code", empty_label=_("All cities")
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Notice.Category.choices]
    )
    q = forms.CharField(label=_("Search"), required=False)


class ContactsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["contact_person", "email", "phone"]


class PreferencesForm(forms.Form):
    groups = forms.MultipleChoiceField(
        label=_("Send me e-mail about"),
        choices=EmailPreference.Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
