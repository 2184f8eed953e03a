from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.accounts.services import unit_contacts_update
from smevoucher.core import access
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.forms import add_domain_errors
from smevoucher.core.lists import ListFilterForm, page_of
from smevoucher.core.replica import read_replica
from smevoucher.documents.views import file_response

from . import selectors, services
from .forms import ContactsForm, NoticeFilterForm, NoticeForm, PreferencesForm

ROLE_GUIDES = {
    "enterprise": "notices/guides/enterprise.html",
    "provider": "notices/guides/provider.html",
    "city_unit": "notices/guides/city_unit.html",
    "province_unit": "notices/guides/province_unit.html",
}


# The public notice board


@read_replica()  # the public board: the replica serves it when there is one
def notice_list(request):
    filters = NoticeFilterForm(request.GET or None)
    notices = selectors.public_notices()
    if filters.is_valid():
        city = filters.cleaned_data["city"]
        notices = selectors.filter_notices(
            notices,
            city_code=city.code if city else "",
            category=filters.cleaned_data["category"],
            query=filters.cleaned_data["q"].strip(),
        )
    page = page_of(request, notices, 20)
    return render(request, "notices/list.html", {"page": page, "filters": filters})


def notice_detail(request, pk: int):
    notice = selectors.public_notice_get(pk)
    return render(request, "notices/detail.html", {"notice": notice})


def notice_attachment(request, pk: int, document_id: int):
    """An attachment of a public notice is public; any other material stays behind its own permission."""
    notice = selectors.public_notice_get(pk)
    document = notice.attachments.filter(pk=document_id).first()
    if document is None:
        raise Http404
    return file_response(document)


# Units manage notices


def _require_publisher(user):
    if not user.has_perm("notices.publish_notice"):
        raise PermissionDenied


@login_required
def manage_list(request):
    _require_publisher(request.user)
    filters = ListFilterForm(request.GET or None, search_help=_("Title"))
    del filters.fields["status"]
    notices = filters.apply(selectors.notices_managed_by(request.user), search=("title",))
    page = page_of(request, notices, per_page=30)
    return render(request, "notices/manage_list.html", {"page": page, "filter_form": filters})


@login_required
def notice_create(request):
    _require_publisher(request.user)
    province = access.is_province_unit(request.user)
    form = NoticeForm(request.POST or None, request.FILES or None, city_choice=province, actor=request.user)
    if request.method == "POST" and form.is_valid_keeping_materials():
        data = form.cleaned_data
        try:
            attachments = [data["attachment"]] if data["attachment"] else []
            notice = services.notice_publish(
                actor=request.user,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                city=data.get("city") if province else None,
                published_at=data["published_at"],
                expires_at=data["expires_at"],
                pinned=data["pinned"],
                attachments=attachments,
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The notice is published."))
            return (
                redirect("notices:detail", pk=notice.pk)
                if notice in selectors.public_notices()
                else redirect("notices:manage")
            )
    return render(request, "notices/edit.html", {"form": form, "notice": None})


@login_required
def notice_edit(request, pk: int):
    notice = access.require(
        request.user, "notices.change_notice", selectors.notices_managed_by(request.user).filter(pk=pk).first()
    )
    initial = {
        "category": notice.category,
        "title": notice.title,
        "body": notice.body,
        "expires_at": notice.expires_at,
        "pinned": notice.pinned,
    }
    form = NoticeForm(request.POST or None, request.FILES or None, initial=initial, editing=True, actor=request.user)
    if request.method == "POST" and form.is_valid_keeping_materials():
        data = form.cleaned_data
        try:
            services.notice_update(
                actor=request.user,
                notice_id=notice.pk,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                expires_at=data["expires_at"],
                pinned=data["pinned"],
            )
            if data["attachment"]:
                services.notice_attach(actor=request.user, notice_id=notice.pk, document=data["attachment"])
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The notice is saved."))
            return redirect("notices:manage")
    return render(request, "notices/edit.html", {"form": form, "notice": notice})


@login_required
@require_POST
def notice_withdraw(request, pk: int):
    services.notice_withdraw(actor=request.user, notice_id=pk)
    messages.success(request, _("The notice was taken off the board."))
    return redirect("notices:manage")


# The help centre


def help_centre(request):
    return render(request, "notices/help.html", {"units": selectors.unit_contacts(), "guides": ROLE_GUIDES})


def guide(request, role: str):
    if role not in ROLE_GUIDES:
        raise Http404
    return render(request, ROLE_GUIDES[role], {"role": role})


@login_required
def contacts_edit(request):
    if not request.user.has_perm("notices.edit_contacts"):
        raise PermissionDenied
    form = ContactsForm(request.POST or None, instance=request.user.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            unit_contacts_update(actor=request.user, **{f: form.cleaned_data[f] for f in ContactsForm.Meta.fields})
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Your unit's contacts are saved."))
            return redirect("notices:help")
    return render(request, "notices/contacts_edit.html", {"form": form})


# The notification centre


@login_required
def notification_list(request):
    filters = ListFilterForm(request.GET or None, statuses=selectors.notification_states(), search_help=_("Title"))
    notifications = selectors.notifications_filtered(filters, selectors.notifications_of(request.user))
    return render(
        request, "notices/notifications.html", {"page": page_of(request, notifications, 30), "filter_form": filters}
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark as read, then go to the object it is about."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notices:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notices:notifications")


@login_required
def email_preferences(request):
    form = PreferencesForm(request.POST or None, initial={"groups": selectors.email_groups_on(request.user)})
    if request.method == "POST" and form.is_valid():
        services.email_preferences_set(user=request.user, groups_on=set(form.cleaned_data["groups"]))
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("notices:notifications")
    return render(request, "notices/preferences.html", {"form": form})
