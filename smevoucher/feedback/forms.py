from django import forms
from django.utils.translation import gettext_lazy as _

SCORES = [(n, str(n)) for n in range(5, 0, -1)]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Score (5 is best)"), choices=SCORES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ComplaintForm(forms.Form):
    text = forms.CharField(
        label=_("What went wrong"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The unit of the city that issued the vouchers receives the complaint and answers it."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
