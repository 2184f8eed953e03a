"""Issue 13 (1) on the history-materials form: a refused set keeps the files that passed the checks; the corrected
submission uses them without a second upload, and another provider's kept id is refused."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smevoucher.accounts.factories import login_verified
from smevoucher.catalogue.factories import draft_product, pdf_bytes
from smevoucher.documents.models import Document
from smevoucher.providers.factories import provider_user_of

pytestmark = pytest.mark.django_db


def pdf(name):
    return SimpleUploadedFile(f"{name}.pdf", pdf_bytes(name), content_type="application/pdf")


def kept(html):
    return dict(re.findall(r'name="(\w+)__kept" value="(\d+)"', html))


def test_a_refused_material_set_keeps_its_files_for_the_next_try():
    product = draft_product(sets=0)
    user = provider_user_of(product.provider)
    client = Client()
    login_verified(client, user)
    url = f"/products/{product.pk}/sets/new/"
    refused = client.post(url, {"title": "", "contract": pdf("合同"), "invoice": pdf("发票")})  # no title
    html = refused.content.decode()
    ids = kept(html)
    assert refused.status_code == 200 and set(ids) == {"contract", "invoice"}
    assert "data-error-summary" in html and 'href="#id_title"' in html
    assert product.revisions.get().material_sets.count() == 0
    before = Document.objects.count()
    evidence = {f"{name}__kept": value for name, value in ids.items()}
    saved = client.post(url, {"title": "某客户 2025年", **evidence})
    assert saved.status_code == 302 and Document.objects.count() == before
    material_set = product.revisions.get().material_sets.get()
    assert material_set.contract_id == int(ids["contract"]) and material_set.invoice_id == int(ids["invoice"])


def test_another_providers_kept_document_is_refused():
    mine, theirs = draft_product(sets=0), draft_product(sets=0)
    other = Client()
    login_verified(other, provider_user_of(theirs.provider))
    ids = kept(other.post(f"/products/{theirs.pk}/sets/new/", {"contract": pdf("合同")}).content.decode())
    client = Client()
    login_verified(client, provider_user_of(mine.provider))
    response = client.post(
        f"/products/{mine.pk}/sets/new/", {"title": "某客户", "contract__kept": ids["contract"], "invoice": pdf("发票")}
    )
    assert "上次保留的文件已不可用" in response.content.decode()
    assert mine.revisions.get().material_sets.count() == 0


def test_the_review_queue_reads_only_its_page(django_assert_max_num_queries):
    """Issue 13 (7): the queue pages first and reads revisions for that page only (constant queries)."""
    from smevoucher.catalogue import services
    from smevoucher.providers.factories import approved_provider, reviewer_for

    provider = approved_provider(level="provincial")
    first = draft_product(provider)
    services.product_submit(actor=provider_user_of(provider), product_id=first.pk)
    client = Client()
    login_verified(client, reviewer_for(provider))
    client.get("/products/review/")
    with django_assert_max_num_queries(20) as few:
        assert first.revisions.get().name in client.get("/products/review/").content.decode()
    for _ in range(3):
        product = draft_product(provider)
        services.product_submit(actor=provider_user_of(provider), product_id=product.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/products/review/")
    html = client.get("/products/review/", {"q": "没有这个服务机构"}).content.decode()
    assert 'data-testid="empty-state"' in html
