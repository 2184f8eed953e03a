"""One way for a list page to search, filter and page (issue 13): a bounded page with numbered links, the count
taken once per page, and searches over a few named columns.

Issue 16 (a province's volume): the count is bounded. Counting every row for the page links cost seconds at 1M
orders, and an OFFSET deep into a million rows walks them all; so a list counts at most MAX_PAGES pages of rows
(a COUNT over a LIMITed subquery, cheap at any volume), shows "more than N" beyond that and offers only those
pages: the rest is reached by narrowing the search or the filters. Pages and API (`BoundedPagination`) alike."""

import re

from django import forms
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import BigAutoField, ForeignKey, GeneratedField, Lookup, Q, QuerySet, Value
from django.db.models.functions import Upper
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

PER_PAGE = 50
MAX_PAGES = 20  # pages offered per list; the count stops at MAX_PAGES × page size rows
SEARCH_IDS = 5000  # a search through a relation compares ids when at most this many related rows match
BADGE_LIMIT = 100  # a to-do count (workbench card, menu badge) counts at most this many rows: "99+" beyond


def badge_text(count) -> str:
    """A to-do count as a badge shows it: exact below BADGE_LIMIT, "99+" from there on (a sum of badges too)."""
    count = int(str(count))  # also the navigation's lazily computed total
    return f"{BADGE_LIMIT - 1}+" if count >= BADGE_LIMIT else str(count)


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

    def apply(
        self,
        queryset,
        *,
        search: tuple[str, ...],
        number: tuple[str, str] | None = None,
        status_field="status",
        status_conditions: dict[str, Q] | None = None,
    ):
        """search: text columns; number: (prefix, id column) of a displayed number such as D00000012 (an id);
        status_conditions: the condition of each status where it is not a column's value (so indexes serve it)."""
        if not self.is_valid():
            return queryset
        text = self.cleaned_data["q"].strip()
        if text:
            condition = Q()
            for field in search:
                condition |= _contains(queryset.model, field, text)
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
        if statuses and status_conditions:
            condition = Q()
            for status in statuses:
                condition |= status_conditions[status]
            queryset = queryset.filter(condition)
        elif statuses:
            queryset = queryset.filter(**{f"{status_field}__in": statuses})
        return queryset

    @property
    def filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class AnyOf(Lookup):
    """`column__any_of=[ids]`: `column = ANY(%s::bigint[])` on PostgreSQL, one array parameter where `__in` sends
    one literal per id. A search through a relation compares up to SEARCH_IDS ids; as literals the statement took
    tens of milliseconds to parse and plan (issue 16). Elsewhere a plain IN list."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = [int(value) for value in self.rhs]
        if not values:  # as `__in=[]`: the condition matches nothing, and a query of only that is not sent
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


ForeignKey.register_lookup(AnyOf)
BigAutoField.register_lookup(AnyOf)


def _contains(model, field: str, text: str) -> Q:
    """`field` icontains `text`. Through a foreign key the related rows that match are looked up first (by their
    own trigram index) and the list compares its own key column with their ids (issue 16): PostgreSQL combines such
    conditions with the list's indexes, where a condition on a joined row is checked row by row over the whole
    table. When very many rows match, the plain condition: the list then finds its page at once anyway. Through a
    reverse relation (a product's revisions), a subquery."""
    relation, _sep, rest = field.partition("__")
    if rest:
        link = model._meta.get_field(relation)
        if link.concrete and (link.many_to_one or link.one_to_one):
            target = link.related_model
            matches = target._default_manager.filter(_contains(target, rest, text)).order_by()
            ids = list(matches.values_list("pk", flat=True)[: SEARCH_IDS + 1])
            if len(ids) <= SEARCH_IDS:
                return Q(**{f"{link.name}__any_of": ids})
        elif link.one_to_many:
            # Rows any of whose related rows match, as IN (subquery): no row comes twice, so the list needs no
            # DISTINCT over all its selected columns (which took PostgreSQL 20 ms to plan at a province's volume).
            target = link.related_model
            matches = target._default_manager.filter(_contains(target, rest, text)).order_by()
            return Q(pk__in=matches.values(link.field.attname))
    target = model
    *links, last = field.split("__")
    for name in links:
        target = target._meta.get_field(name).related_model
    column = target._meta.get_field(last)
    if isinstance(column, GeneratedField) and isinstance(column.expression, Upper):
        # Stored upper-cased: compared as it is (no UPPER() per row), so its own trigram index answers.
        return Q(**{f"{field}__contains": Upper(Value(text))})
    return Q(**{f"{field}__icontains": text})


class BoundedPaginator(Paginator):
    """A paginator that counts at most `max_pages` pages of rows; `more` says whether rows lie beyond them."""

    def __init__(self, object_list, per_page, *args, max_pages: int = MAX_PAGES, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.limit = int(per_page) * max_pages

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            # No ORDER BY and only the key: PostgreSQL stops after limit + 1 matching rows.
            return rows.order_by().values("pk")[: self.limit + 1].count()
        return len(rows)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    def page(self, number):
        """The first page is read before anything is counted: when it is not full it holds every row, and the
        count is not sent (a search that finds a few rows runs its conditions once, not twice)."""
        if str(number) != "1" or not isinstance(self.object_list, QuerySet) or "_counted" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["_counted"] = len(rows)
        self.validate_number(1)  # counts when the first page is full
        return self._get_page(rows, 1, self)

    @property
    def more(self) -> bool:
        return self._counted > self.limit


def page_of(request, queryset, per_page: int = PER_PAGE):
    return BoundedPaginator(queryset, per_page).get_page(request.GET.get("page"))
