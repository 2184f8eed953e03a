from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.core.errors import DomainError
from smevoucher.core.lists import page_of

from . import selectors, services
from .forms import DecisionForm, FlagFilterForm


@login_required
def flag_list(request):
    if not request.user.has_perm("integrity.list_flags"):
        raise PermissionDenied
    filters = FlagFilterForm(request.GET or None)
    # The list shows the flag's own columns and its city: of the related rows only the city is read.
    flags = selectors.flags_visible_to(request.user).select_related(None).select_related("city")
    page = page_of(request, filters.apply_to(flags))
    return render(request, "integrity/list.html", {"page": page, "filter_form": filters})


@login_required
def flag_detail(request, pk: int, form=None):
    flag = selectors.flag_get_for(user=request.user, flag_id=pk)
    context = {
        "flag": flag,
        "form": form or DecisionForm(),
        "may_decide": flag.status == flag.Status.OPEN and request.user.has_perm("integrity.decide_flag", flag),
    }
    return render(request, "integrity/detail.html", context, status=400 if form else 200)


DECISIONS = {"clear": services.flag_clear, "confirm": services.flag_confirm}


@login_required
@require_POST
def flag_decide(request, pk: int, decision: str):
    form = DecisionForm(request.POST)
    try:
        DECISIONS[decision](actor=request.user, flag_id=pk, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        form.is_valid()
        for message in exc.fields.get("reason", [exc.message]):
            form.add_error("reason" if "reason" in form.fields else None, str(message))
        return flag_detail(request, pk, form=form)
    messages.success(request, _("The flag is cleared.") if decision == "clear" else _("The flag is confirmed."))
    return redirect("integrity:detail", pk=pk)
