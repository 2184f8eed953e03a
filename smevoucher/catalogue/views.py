import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smevoucher.core import access
from smevoucher.core.errors import DomainError, ValidationFailed
from smevoucher.core.forms import add_domain_errors
from smevoucher.core.lists import ListFilterForm, page_of
from smevoucher.core.replica import read_replica
from smevoucher.documents.selectors import findings_for
from smevoucher.providers.selectors import provider_of, serves_every_city, service_cities

from . import requirements as req
from . import selectors, services
from .forms import CatalogueFilterForm, MaterialSetForm, ProductForm, ReasonForm
from .models import Product, ProductRevision


def _revision_context(revision: ProductRevision | None, *, reviewer=None) -> dict:
    """The revision's content; with a reviewer, the documents' findings too (they are for reviewers only)."""
    if revision is None:
        return {"revision": None}
    revision = selectors.revision_with_content(revision.pk)
    items = req.evidence_for(revision.category)
    sets = []
    for material_set in revision.material_sets.all():
        evidence = {e.item: e.document for e in material_set.evidence.all()}
        documents = [(_("Contract"), material_set.contract), (_("Invoice"), material_set.invoice)]
        documents += [(label, evidence.get(item)) for item, label in items]
        sets.append(
            {
                "set": material_set,
                "documents": [
                    (label, doc, findings_for(doc, viewer=reviewer) if reviewer else []) for label, doc in documents
                ],
            }
        )
    _qualification_required, qualification_label = req.qualification_for(revision.category)
    return {
        "revision": revision,
        "sets": sets,
        "qualification_label": qualification_label,
        "qualification_findings": findings_for(revision.qualification, viewer=reviewer) if reviewer else [],
        "pricing_findings": findings_for(revision.pricing_document, viewer=reviewer) if reviewer else [],
    }


def _scope(provider) -> dict:
    return {
        "scope_cities": None if serves_every_city(provider) else service_cities(provider),
        "category_requirements": req.by_category(),
    }


# --- the public catalogue ----------------------------------------------------------------------------------------


@require_GET
@read_replica()  # a heavy public list: the replica serves it when there is one
def catalogue(request):
    """Published products; an enterprise sees only what may serve its city (R2)."""
    form = CatalogueFilterForm(request.GET or None)
    products = selectors.catalogue_for(request.user)
    if form.is_valid():
        data = form.cleaned_data
        products = selectors.catalogue_search(
            products,
            q=data["q"],
            category=data["category"],
            city=data["city"],
            price_min_fen=data["price_min"],
            price_max_fen=data["price_max"],
        )
    else:
        products = selectors.catalogue_search(products)
    page = page_of(request, products.prefetch_related("published_revision__region_rows__city"), 20)
    city_id = selectors.enterprise_city_id(request.user)
    return render(request, "catalogue/catalogue.html", {"form": form, "page": page, "enterprise_city_id": city_id})


@require_GET
def product_page(request, pk: int):
    product = selectors.catalogue_product_get(user=request.user, product_id=pk)
    context = _revision_context(product.published_revision)
    context.update({"product": product, "provider": product.provider, **_scope(product.provider)})
    return render(request, "catalogue/product.html", context)


# --- the provider's workspace ------------------------------------------------------------------------------------


def _own_provider(request):
    provider = provider_of(request.user)
    if provider is None or not request.user.has_perm("catalogue.add_product"):
        raise Http404
    return provider


@login_required
def my_products(request):
    provider = _own_provider(request)
    filters = ListFilterForm(request.GET or None, statuses=Product.Status.choices, search_help=_("Product name"))
    # Any revision's name: a renamed product is found by its old and its new name; distinct as several may match.
    products = selectors.products_filtered(filters, selectors.products_visible_to(request.user))
    page = page_of(request, selectors.with_revisions(products))
    rows = [
        (product, product.published_revision or selectors.latest_of(product), selectors.working_of(product))
        for product in page
    ]
    context = {"provider": provider, "rows": rows, "page": page, "filter_form": filters}
    return render(request, "catalogue/my_products.html", context)


@login_required
def product_new(request):
    provider = _own_provider(request)
    if provider.status != provider.Status.APPROVED:
        messages.error(request, _("Your provider registration must be approved before you publish products."))
        return redirect("catalogue:my_products")
    form = ProductForm(
        request.POST or None,
        request.FILES or None,
        provider=provider,
        initial={"token": uuid.uuid4().hex},
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid_keeping_materials():
        try:
            product = services.product_create(actor=request.user, **form.service_arguments())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The draft is saved. Add the sets of historical materials, then submit."))
            return redirect("catalogue:mine", pk=product.pk)
    return render(
        request, "catalogue/edit.html", {"form": form, "provider": provider, "product": None, **_scope(provider)}
    )


@login_required
def product_edit(request, pk: int):
    product = selectors.product_get_for(user=request.user, product_id=pk)
    if not request.user.has_perm("catalogue.change_product", product):
        raise Http404
    revision = selectors.working_revision(product) or product.published_revision
    if revision is not None and revision.state == ProductRevision.State.SUBMITTED:
        messages.info(
            request, _("The product is waiting for review; it can be changed again once the unit has decided.")
        )
        return redirect("catalogue:mine", pk=pk)
    form = ProductForm(
        request.POST or None, request.FILES or None, provider=product.provider, revision=revision, actor=request.user
    )
    if request.method == "POST" and form.is_valid_keeping_materials():
        try:
            arguments = form.service_arguments()
            arguments.pop("token", None)
            services.product_update(actor=request.user, product_id=pk, **arguments)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("catalogue:mine", pk=pk)
    return render(
        request,
        "catalogue/edit.html",
        {
            "form": form,
            "provider": product.provider,
            "product": product,
            "revision": revision,
            **_scope(product.provider),
        },
    )


@login_required
def my_product(request, pk: int):
    """The provider's page of one product: what is published, the working revision, what is missing, submit."""
    product = selectors.product_get_for(user=request.user, product_id=pk)
    if not access.belongs_to(request.user, product.provider.organisation_id):
        return redirect("catalogue:review", pk=pk)
    working = selectors.working_revision(product)
    context = _revision_context(working or product.published_revision)
    shown = context["revision"]
    context.update(
        {
            "product": product,
            "working": working,
            "missing": services.missing_items(working) if working and working.editable else [],
            "evidence_items": req.evidence_for(shown.category) if shown else [],
            "sets_required": req.sets_required(shown.needs_several_sets) if shown else None,
            "editable": request.user.has_perm("catalogue.change_product", product)
            and (working is None or working.editable)
            and product.provider.status == product.provider.Status.APPROVED,
            "revisions": selectors.revisions_of(product),
            **_scope(product.provider),
        }
    )
    return render(request, "catalogue/my_product.html", context)


@login_required
@require_POST
def submit(request, pk: int):
    try:
        services.product_submit(actor=request.user, product_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        for problem in exc.fields.get("__all__", []):
            messages.error(request, problem)
    else:
        messages.success(request, _("The product is submitted for review."))
    return redirect("catalogue:mine", pk=pk)


@login_required
@require_POST
def discard_changes(request, pk: int):
    selectors.product_get_for(user=request.user, product_id=pk)
    try:
        services.product_discard_changes(actor=request.user, product_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The changes were discarded; the approved version is unchanged."))
    return redirect("catalogue:mine", pk=pk)


@login_required
def material_set(request, pk: int, position: int | None = None):
    product = selectors.product_get_for(user=request.user, product_id=pk)
    if not request.user.has_perm("catalogue.change_product", product):
        raise Http404
    revision = selectors.working_revision(product) or product.published_revision
    existing = revision.material_sets.filter(position=position).first() if position else None
    if position and existing is None:
        raise Http404
    form = MaterialSetForm(
        request.POST or None, request.FILES or None, category=revision.category, existing=existing, actor=request.user
    )
    if request.method == "POST" and form.is_valid_keeping_materials():
        try:
            if existing is None:
                services.material_set_add(actor=request.user, product_id=pk, **form.service_arguments())
            else:
                services.material_set_update(
                    actor=request.user, product_id=pk, position=position, **form.service_arguments()
                )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The set of historical materials is saved."))
            return redirect("catalogue:mine", pk=pk)
    if existing is not None:
        current = {"contract": existing.contract, "invoice": existing.invoice}
        current.update({f"evidence_{e.item}": e.document for e in existing.evidence.select_related("document")})
        for name, document in current.items():
            if name in form.fields:
                form.fields[name].help_text = _("Now: %(file)s. Choose files only to replace it.") % {
                    "file": document.filename
                }
    return render(
        request,
        "catalogue/material_set.html",
        {"form": form, "product": product, "revision": revision, "existing": existing},
    )


@login_required
@require_POST
def material_set_remove(request, pk: int, position: int):
    selectors.product_get_for(user=request.user, product_id=pk)
    try:
        services.material_set_remove(actor=request.user, product_id=pk, position=position)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The set of historical materials was removed."))
    return redirect("catalogue:mine", pk=pk)


# --- review by the unit R4 names -----------------------------------------------------------------------------------


@login_required
def review_queue(request):
    if not request.user.has_perm("catalogue.list_product_reviews"):
        raise Http404
    show = request.GET.get("show", "queue")
    if show == "published":
        products = selectors.reviewed_by(request.user).filter(status=Product.Status.PUBLISHED)
    elif show == "taken_down":
        products = selectors.reviewed_by(request.user).filter(status=Product.Status.TAKEN_DOWN)
    else:
        show = "queue"
        products = selectors.review_queue_for(request.user)
    filters = ListFilterForm(request.GET or None, search_help=_("Service provider"))
    del filters.fields["status"]  # the tabs are the filter here
    products = filters.apply(products, search=("provider__organisation__name",))
    page = page_of(request, selectors.with_revisions(products.order_by("pk")))
    page.object_list = [  # only this page's products are read (issue 13: no full-table work per page)
        (product, selectors.working_of(product) or product.published_revision) for product in page.object_list
    ]
    return render(request, "catalogue/review_queue.html", {"page": page, "show": show, "filter_form": filters})


@login_required
def review(request, pk: int):
    product = selectors.product_get_for(user=request.user, product_id=pk)
    if access.belongs_to(request.user, product.provider.organisation_id):
        return redirect("catalogue:mine", pk=pk)
    working = selectors.working_revision(product)
    in_review = working if working and working.state == ProductRevision.State.SUBMITTED else None
    context = _revision_context(in_review or product.published_revision or working, reviewer=request.user)
    context.update(
        {
            "product": product,
            "provider": product.provider,
            "in_review": in_review,
            "can_review": request.user.has_perm("catalogue.review_product", product),
            "missing": services.missing_items(in_review) if in_review else [],
            "revisions": selectors.revisions_of(product),
            "reason_form": ReasonForm(),
            **_scope(product.provider),
        }
    )
    return render(request, "catalogue/review.html", context)


def _decide(request, pk: int, action, success: str):
    try:
        action()
    except ValidationFailed as exc:
        messages.error(request, " ".join(str(m) for ms in exc.fields.values() for m in ms) or exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("catalogue:review", pk=pk)


@login_required
@require_POST
def approve(request, pk: int):
    return _decide(
        request,
        pk,
        lambda: services.product_approve(actor=request.user, product_id=pk),
        _("The product is approved and in the catalogue."),
    )


@login_required
@require_POST
def return_for_correction(request, pk: int):
    return _decide(
        request,
        pk,
        lambda: services.product_return(actor=request.user, product_id=pk, reason=request.POST.get("reason", "")),
        _("The product was returned to the provider."),
    )


@login_required
@require_POST
def take_down(request, pk: int):
    return _decide(
        request,
        pk,
        lambda: services.product_take_down(actor=request.user, product_id=pk, reason=request.POST.get("reason", "")),
        _("The product was taken down and the provider told."),
    )
