from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.core.errors import DomainError
from smevoucher.core.forms import add_domain_errors
from smevoucher.core.lists import ListFilterForm, page_of
from smevoucher.orders.selectors import order_get_for

from . import selectors, services
from .forms import AnswerForm, CloseForm, ComplaintForm, RatingForm
from .models import Complaint


def _feedback_page(request, order, form_class, template: str, submit, done: str, initial=None):
    """The rating and complaint pages: the enterprise's own received order, a form, one service."""
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            submit(order, form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("orders:detail", pk=order.pk)
    return render(request, template, {"order": order, "form": form})


@login_required
def rate(request, order_id: int):
    order = order_get_for(user=request.user, order_id=order_id)
    rating = selectors.rating_of(order)
    initial = {"score": rating.score, "comment": rating.comment} if rating else None
    return _feedback_page(
        request,
        order,
        RatingForm,
        "feedback/rate.html",
        lambda order, data: services.rating_submit(actor=request.user, order_id=order.pk, **data),
        _("Thank you: the rating is saved."),
        initial=initial,
    )


@login_required
def complain(request, order_id: int):
    return _feedback_page(
        request,
        order_get_for(user=request.user, order_id=order_id),
        ComplaintForm,
        "feedback/complain.html",
        lambda order, data: services.complaint_file(actor=request.user, order_id=order.pk, **data),
        _("The complaint is sent to the city unit."),
    )


@login_required
def complaint_list(request):
    if not request.user.has_perm("feedback.list_complaints"):
        raise Http404
    filters = ListFilterForm(request.GET or None, statuses=Complaint.Status.choices, search_help=_("Provider name"))
    complaints = selectors.complaints_filtered(filters, selectors.complaints_visible_to(request.user))
    return render(
        request, "feedback/complaint_list.html", {"page": page_of(request, complaints), "filter_form": filters}
    )


@login_required
def complaint_detail(request, pk: int):
    complaint = selectors.complaint_get_for(user=request.user, complaint_id=pk)
    can_answer = request.user.has_perm("feedback.answer_complaint", complaint)
    context = {"complaint": complaint, "can_answer": can_answer}
    if can_answer:
        context.update(answer_form=AnswerForm(), close_form=CloseForm())
    return render(request, "feedback/complaint_detail.html", context)


def _unit_action(request, pk: int, form_class, service, done: str):
    form = form_class(request.POST)
    form.is_valid()
    try:
        service(actor=request.user, complaint_id=pk, **{name: form.data.get(name, "") for name in form.fields})
    except DomainError as exc:
        for problem in [m for ms in exc.fields.values() for m in ms] or [exc.message]:
            messages.error(request, problem)
    else:
        messages.success(request, done)
    return redirect("feedback:complaint", pk=pk)


@login_required
@require_POST
def complaint_answer(request, pk: int):
    return _unit_action(request, pk, AnswerForm, services.complaint_answer, _("The answer is sent to the enterprise."))


@login_required
@require_POST
def complaint_close(request, pk: int):
    return _unit_action(request, pk, CloseForm, services.complaint_close, _("The complaint is closed."))
