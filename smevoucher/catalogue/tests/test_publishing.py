"""R5: what a product must contain before it is submitted; review by the R4 unit; revisions; take-down."""

import re

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client

from smevoucher.accounts.factories import city_unit_user, login_verified, province_user
from smevoucher.accounts.models import City
from smevoucher.catalogue import services
from smevoucher.catalogue.factories import add_sets, content, draft_product, files, published_product
from smevoucher.catalogue.models import Evidence, Product, ProductRevision, ProductTier
from smevoucher.catalogue.selectors import NotOrderable, catalogue_for, orderable_revision, orderable_tier
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.notices.models import Notification
from smevoucher.providers.factories import approved_provider, provider_user_of, register_provider, reviewer_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages in English (a page request earlier may have left Chinese active)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def submit_refusals(product) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        services.product_submit(actor=provider_user_of(product.provider), product_id=product.pk)
    assert refused.value.code == "incomplete"
    return refused.value.fields["__all__"]


def test_a_complete_product_is_submitted_and_the_unit_is_notified():
    product = draft_product()
    revision = services.product_submit(actor=provider_user_of(product.provider), product_id=product.pk)
    assert revision.state == ProductRevision.State.SUBMITTED
    assert Notification.objects.filter(event="product.submitted", user__organisation__kind="province_unit").exists()
    assert AuditEvent.objects.filter(action="product.submitted", object_id=str(product.pk)).exists()


def test_submit_refuses_missing_comparables_naming_them():
    product = draft_product(comparables=[])
    problems = submit_refusals(product)
    assert any("market comparables" in p and "0 given" in p for p in problems)
    assert ProductRevision.objects.get(product=product).state == "draft"


def test_submit_refuses_only_one_comparable():
    product = draft_product(comparables=[{"competitor": "甲", "product_name": "A", "price_fen": 100, "source": "官网"}])
    assert any("1 given" in p for p in submit_refusals(product))


@pytest.mark.parametrize("sets", [2, 6])
def test_range_priced_product_needs_three_to_five_material_sets(sets):
    if sets == 6:
        product = draft_product(sets=5)
        with pytest.raises(ValidationFailed) as refused:
            add_sets(product, provider_user_of(product.provider), 1)
        assert refused.value.code == "too_many_sets"
        return
    product = draft_product(sets=sets)
    assert any("3 to 5 sets" in p and "2 given" in p for p in submit_refusals(product))


def test_single_price_product_needs_one_material_set():
    product = draft_product(tiers=False, sets=0)
    assert any("at least one set" in p for p in submit_refusals(product))
    add_sets(product, provider_user_of(product.provider), 1)
    services.product_submit(actor=provider_user_of(product.provider), product_id=product.pk)


def test_region_outside_the_provider_scope_is_refused():
    station = approved_provider(level="gz_station")
    shenzhen = City.objects.get(code="440300")
    with pytest.raises(ValidationFailed) as refused:
        services.product_create(actor=provider_user_of(station), **content(station, regions=[shenzhen.pk]))
    assert "深圳" in refused.value.fields["regions"][0]
    assert not Product.objects.exists()


def test_a_provincial_provider_may_serve_every_city():
    provider = approved_provider(level="provincial")
    every = list(City.objects.values_list("pk", flat=True))
    product = services.product_create(actor=provider_user_of(provider), **content(provider, regions=every))
    assert product.revisions.get().region_rows.count() == len(every)


def test_each_missing_item_gets_its_own_message():
    provider = approved_provider()
    user = provider_user_of(provider)
    product = services.product_create(actor=user, name="空白产品", category="training")
    problems = submit_refusals(product)
    for expected in [
        "overview",
        "service process",
        "duration",
        "deliverables",
        "acceptance criteria",
        "service region",
        "enterprise sizes",
        "price in yuan",
        "market comparables",
        "cost",
        "profit",
        "tax",
        "at least one set",
    ]:
        assert any(expected in p for p in problems), expected


def test_consulting_needs_the_consultants_profiles_and_info_query_its_lawful_source():
    for category, phrase in [("online_consulting", "consultants"), ("info_query", "lawful source")]:
        product = draft_product(category=category, tiers=False, qualification=None)
        assert any(phrase in p for p in submit_refusals(product))


def test_training_sets_must_contain_each_training_evidence_item():
    provider = approved_provider()
    user = provider_user_of(provider)
    product = services.product_create(actor=user, **content(provider))
    for _ in range(3):
        services.material_set_add(
            actor=user,
            product_id=product.pk,
            title="某企业",
            contract=files("合同"),
            invoice=files("发票"),
            evidence={"plan": files("计划")},
        )
    problems = submit_refusals(product)
    assert sum("Sign-in sheet is missing" in p for p in problems) == 3
    assert any(p.startswith("Set 2 of historical materials: Training syllabus") for p in problems)


def test_the_same_contract_cannot_count_as_two_sets():
    product = draft_product(sets=2)
    user = provider_user_of(product.provider)
    first = product.revisions.get().material_sets.get(position=1)
    services.material_set_add(
        actor=user,
        product_id=product.pk,
        title="重复",
        contract=first.contract_id,
        invoice=files("发票"),
        evidence={item: files(item) for item in ["plan", "syllabus", "courseware", "photos", "notice", "sign_in"]},
    )
    assert any("same file as in set 1" in p for p in submit_refusals(product))


def test_guidance_price_needs_title_and_number_together():
    product = draft_product(guidance_title="广东省培训收费指导价")
    assert any("guidance price document" in p for p in submit_refusals(product))


def test_yuan_text_becomes_exact_fen():
    from smevoucher.core.forms import YuanField

    yuan_to_fen = YuanField().clean

    assert yuan_to_fen("1,234.56") == 123456
    assert yuan_to_fen("¥0.1") == 10
    assert yuan_to_fen("5800") == 580000
    for bad in ["1.234", "-5", "abc", "1e3", ""]:
        with pytest.raises(Exception):  # noqa: B017
            yuan_to_fen(bad)


# --- review ---------------------------------------------------------------------------------------------------


def test_the_r4_unit_reviews_station_products_and_others_cannot():
    station = approved_provider(level="gz_station")
    product = draft_product(station)
    services.product_submit(actor=provider_user_of(station), product_id=product.pk)
    from django.http import Http404

    for outsider in (province_user(), city_unit_user("440300")):
        with pytest.raises(Http404):
            services.product_approve(actor=outsider, product_id=product.pk)
    services.product_approve(actor=city_unit_user("440100"), product_id=product.pk)
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED


def test_return_needs_a_reason_and_tells_the_provider():
    product = draft_product()
    user = provider_user_of(product.provider)
    services.product_submit(actor=user, product_id=product.pk)
    unit = reviewer_for(product.provider)
    with pytest.raises(ValidationFailed):
        services.product_return(actor=unit, product_id=product.pk, reason="  ")
    revision = services.product_return(actor=unit, product_id=product.pk, reason="签到表不清晰")
    assert revision.state == "returned"
    assert Notification.objects.filter(user=user, event="product.returned", body="签到表不清晰").exists()
    assert AuditEvent.objects.filter(action="product.returned", reason="签到表不清晰").exists()
    # the provider fixes and submits again; a repeated return click is quiet
    services.product_return(actor=unit, product_id=product.pk, reason="签到表不清晰")
    services.product_update(actor=user, product_id=product.pk, duration="20个工作日")
    services.product_submit(actor=user, product_id=product.pk)
    services.product_approve(actor=unit, product_id=product.pk)
    assert product.revisions.get().state == "approved"


def test_repeated_clicks_are_quiet():
    product = draft_product()
    user, unit = provider_user_of(product.provider), reviewer_for(product.provider)
    services.product_submit(actor=user, product_id=product.pk)
    services.product_submit(actor=user, product_id=product.pk)
    services.product_approve(actor=unit, product_id=product.pk)
    services.product_approve(actor=unit, product_id=product.pk)
    assert AuditEvent.objects.filter(action="product.approved").count() == 1


def test_approve_without_anything_in_review_is_a_conflict():
    product = draft_product()
    with pytest.raises(Conflict):
        services.product_approve(actor=reviewer_for(product.provider), product_id=product.pk)


def test_an_unapproved_provider_cannot_publish():
    provider = register_provider()
    with pytest.raises(Conflict) as refused:
        services.product_create(actor=provider_user_of(provider), **content(provider))
    assert refused.value.code == "provider_not_approved"


def test_a_submitted_revision_cannot_be_edited():
    product = draft_product()
    user = provider_user_of(product.provider)
    services.product_submit(actor=user, product_id=product.pk)
    with pytest.raises(Conflict):
        services.product_update(actor=user, product_id=product.pk, name="改名")


# --- revisions ------------------------------------------------------------------------------------------------


def test_editing_a_published_product_keeps_the_approved_revision_in_the_catalogue():
    product = published_product()
    user, unit = provider_user_of(product.provider), reviewer_for(product.provider)
    approved = product.published_revision
    tier = approved.tiers.get(position=2)
    new = services.product_update(
        actor=user,
        product_id=product.pk,
        name="新名称",
        tiers=[
            {"name": "基础班", "description": "1天", "price_fen": 350000},
            {"name": "标准班", "description": "2天", "price_fen": 600000},
            {"name": "定制班", "description": "3天", "price_fen": 900000},
        ],
    )
    assert new.number == 2 and new.state == "draft" and new.material_sets.count() == 3
    services.product_submit(actor=user, product_id=product.pk)
    product.refresh_from_db()
    assert product.published_revision_id == approved.pk
    assert catalogue_for(None).get(pk=product.pk).published_revision.name == approved.name
    assert orderable_tier(revision_id=approved.pk, tier_id=tier.pk).price_fen == 580000

    services.product_approve(actor=unit, product_id=product.pk)
    product.refresh_from_db()
    assert product.published_revision_id == new.pk
    assert catalogue_for(None).get(pk=product.pk).published_revision.name == "新名称"
    # the old revision and its tier (orders keep them) are unchanged, but no longer orderable
    tier.refresh_from_db()
    assert tier.price_fen == 580000 and ProductRevision.objects.get(pk=approved.pk).state == "approved"
    with pytest.raises(NotOrderable):
        orderable_revision(approved.pk)


def test_a_returned_change_leaves_the_published_revision_alone():
    product = published_product()
    user, unit = provider_user_of(product.provider), reviewer_for(product.provider)
    services.product_update(actor=user, product_id=product.pk, overview="与服务券无关的内容")
    services.product_submit(actor=user, product_id=product.pk)
    services.product_return(actor=unit, product_id=product.pk, reason="内容不符")
    product.refresh_from_db()
    assert product.status == "published" and product.published_revision.number == 1


def test_discarding_changes_goes_back_to_the_approved_revision():
    product = published_product()
    user = provider_user_of(product.provider)
    services.product_update(actor=user, product_id=product.pk, name="试改")
    services.product_discard_changes(actor=user, product_id=product.pk)
    services.product_discard_changes(actor=user, product_id=product.pk)  # quiet
    assert list(product.revisions.values_list("number", "state")) == [(1, "approved")]
    draft = draft_product()
    with pytest.raises(Conflict):
        services.product_discard_changes(actor=provider_user_of(draft.provider), product_id=draft.pk)


def test_database_refuses_to_change_an_approved_revision():
    """Triggers (migration 0002): on both databases an approved revision and its tiers cannot be updated; on
    PostgreSQL nothing can be added under it either (SQLite triggers may only name their own table)."""
    from django.db import connection

    product = published_product()
    revision = product.published_revision
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ProductRevision.objects.filter(pk=revision.pk).update(name="偷改")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ProductTier.objects.filter(revision=revision).update(price_fen=1)
    if connection.vendor == "postgresql":
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            ProductTier.objects.create(revision=revision, position=9, name="x", price_fen=1)
        evidence = Evidence.objects.filter(material_set__revision=revision).first()
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Evidence.objects.filter(pk=evidence.pk).update(document=revision.qualification)
    assert ProductTier.objects.get(revision=revision, position=1).price_fen == 300000
    assert ProductRevision.objects.get(pk=revision.pk).name == revision.name


def test_a_repeated_save_of_a_new_product_or_a_set_finds_it_done():
    provider = approved_provider()
    user = provider_user_of(provider)
    data = content(provider, tiers=False)
    first = services.product_create(actor=user, token="abc", **data)
    again = services.product_create(actor=user, token="abc", **data)
    assert first.pk == again.pk and Product.objects.count() == 1
    contract, invoice = files("合同"), files("发票")
    evidence = {"plan": files("计划")}
    one = services.material_set_add(
        actor=user, product_id=first.pk, title="某企业", contract=contract, invoice=invoice, evidence=evidence
    )
    two = services.material_set_add(
        actor=user, product_id=first.pk, title="某企业", contract=contract, invoice=invoice, evidence=evidence
    )
    assert one.pk == two.pk and first.revisions.get().material_sets.count() == 1


# --- take-down ------------------------------------------------------------------------------------------------


def test_take_down_removes_from_catalogue_with_reason_shown_and_resubmission_republishes():
    product = published_product()
    user, unit = provider_user_of(product.provider), reviewer_for(product.provider)
    with pytest.raises(ValidationFailed):
        services.product_take_down(actor=unit, product_id=product.pk, reason="")
    services.product_take_down(actor=unit, product_id=product.pk, reason="与服务券无关")
    services.product_take_down(actor=unit, product_id=product.pk, reason="与服务券无关")  # quiet
    product.refresh_from_db()
    assert product.status == "taken_down" and product.take_down_reason == "与服务券无关"
    assert not catalogue_for(None).filter(pk=product.pk).exists()
    assert Notification.objects.filter(user=user, event="product.taken_down", body="与服务券无关").exists()
    assert AuditEvent.objects.filter(action="product.taken_down").count() == 1
    with pytest.raises(NotOrderable):
        orderable_revision(product.published_revision_id)
    services.product_update(actor=user, product_id=product.pk, overview="改正后的内容")
    services.product_submit(actor=user, product_id=product.pk)
    services.product_approve(actor=unit, product_id=product.pk)
    assert catalogue_for(None).filter(pk=product.pk).exists()


def test_only_the_reviewing_unit_takes_down():
    product = published_product(approved_provider(level="gz_station"))
    from django.http import Http404

    with pytest.raises(Http404):
        services.product_take_down(actor=city_unit_user("440300"), product_id=product.pk, reason="x")
    with pytest.raises(Http404):
        services.product_take_down(actor=provider_user_of(product.provider), product_id=product.pk, reason="x")


def test_orderable_tier_refuses_a_tier_of_another_revision():
    first, second = published_product(), published_product()
    with pytest.raises(NotOrderable):
        orderable_tier(revision_id=first.published_revision_id, tier_id=second.published_revision.tiers.first().pk)


def test_products_of_providers_past_their_voucher_date_leave_the_catalogue():
    from datetime import timedelta

    from smevoucher.core import clock
    from smevoucher.directory.models import Entry

    product = published_product()
    assert catalogue_for(None).filter(pk=product.pk).exists()
    # time passes: the directory entry's last day for receiving vouchers (R1) is yesterday
    Entry.objects.filter(pk=product.provider.entry_id).update(valid_until=clock.today() - timedelta(days=1))
    assert not catalogue_for(None).filter(pk=product.pk).exists()
    with pytest.raises(NotOrderable):
        orderable_revision(product.published_revision_id)


def test_switching_to_one_price_without_a_price_leaves_no_old_tier_as_the_price():
    product = draft_product()
    user = provider_user_of(product.provider)
    services.product_update(actor=user, product_id=product.pk, pricing="single")
    revision = product.revisions.get()
    assert revision.tiers.count() == 0
    assert any("price in yuan" in p for p in submit_refusals(product))


def test_api_list_shows_a_summary_of_each_visible_product():
    from rest_framework.test import APIClient

    product = published_product()
    rest = APIClient()
    rest.force_authenticate(provider_user_of(product.provider))
    rows = rest.get("/api/v1/products/").json()["results"]
    assert [(r["id"], r["status"], r["working_state"]) for r in rows] == [(product.pk, "published", None)]


def test_a_product_bundling_several_sub_products_needs_three_to_five_sets_and_the_reviewer_sees_it():
    """Issue 15.5: 不止一个子产品 needs 3 to 5 sets of historical materials, like a price range."""
    product = draft_product(tiers=False, sets=1, sub_products=True)
    assert any("3 to 5 sets" in p and "1 given" in p for p in submit_refusals(product))
    user = provider_user_of(product.provider)
    add_sets(product, user, 2)
    services.product_submit(actor=user, product_id=product.pk)
    reviewer = Client()
    login_verified(reviewer, reviewer_for(product.provider))
    html = reviewer.get(f"/products/{product.pk}/review/").content.decode()
    shown = re.search(r'data-testid="product-sub-products">([^<]*)<', html).group(1)
    assert "3" in shown and "5" in shown  # "bundles more than one sub-product (3 to 5 sets …)"


def test_sub_products_must_be_a_yes_or_no():
    provider = approved_provider()
    with pytest.raises(ValidationFailed) as refused:
        services.product_create(actor=provider_user_of(provider), **content(provider, sub_products="yes"))
    assert "sub_products" in refused.value.fields
