"""One way for a list page to search, filter and page (issue 13): a bounded page with numbered links, the count
taken once per page, and searches over a few named columns."""

import re

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PER_PAGE = 50


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data=None, *, statuses=(), search_help="", **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *statuses]
        self.fields["q"].widget.attrs.update(
            placeholder=search_help, type="search", **{"class": "form-control form-control-sm"}
        )
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm"

    def apply(self, queryset, *, search: tuple[str, ...], number: tuple[str, str] | None = None, status_field="status"):
        """search: text columns; number: (prefix, id column) of a displayed number such as D00000012 (an id)."""
        if not self.is_valid():
            return queryset
        text = self.cleaned_data["q"].strip()
        if text:
            condition = Q()
            for field in search:
                condition |= Q(**{f"{field}__icontains": text})
            if number is not None:
                prefix, column = number
                found = re.fullmatch(rf"(?i:{prefix})?0*(\d{{1,18}})", text)
                if found:
                    condition |= Q(**{column: int(found.group(1))})
            queryset = queryset.filter(condition)
        # Several statuses may be asked for at once (the workbench's cards link with e.g. status=a&status=b).
        field = self.fields.get("status")
        valid = {value for value, _label in field.choices if value} if field else set()
        statuses = [value for value in self.data.getlist("status") if value in valid]
        if statuses:
            queryset = queryset.filter(**{f"{status_field}__in": statuses})
        return queryset

    @property
    def filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


def page_of(request, queryset, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
