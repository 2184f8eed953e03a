"""Issue 13 (1, 6): a refused form keeps the user's work — checked uploads become pending documents shown attached,
typed values stay, an error summary links to each field — and the money forms state the real limits."""

import io
import re

import pytest

from smevoucher.accounts.factories import logged_in_client
from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.documents.models import Document
from smevoucher.documents.selectors import pending_document
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.orders import factories, services
from smevoucher.orders.models import Order
from smevoucher.vouchers.factories import approved_enterprise

pytestmark = pytest.mark.django_db
S = Order.Status


client = logged_in_client


def upload(name):
    f = io.BytesIO(pdf_bytes(name))
    f.name = f"{name}.pdf"
    return f


def kept_ids(html: str) -> dict:
    return dict(re.findall(r'name="(\w+)__kept" value="(\d+)"', html))


@pytest.fixture
def completed(w):
    return factories.advance(w, factories.place(w), S.COMPLETED)


def payment_post(w, **changes):
    data = {
        "invoice_number": "FP20261",
        "invoice_date": w.batch.service_start.isoformat(),
        "own_share_fen": "1000",
        "voucher_fen": "1000",
        "invoice_fen": "3000",  # wrong: 1000 + 1000 ≠ 3000
    }
    data.update(changes)
    return data


def test_a_refused_payment_keeps_the_files_the_typed_values_and_lists_each_error_once(w, completed):
    e = client(w.enterprise_user)
    r = e.post(
        f"/orders/{completed.pk}/payment/",
        payment_post(w, invoice=upload("发票"), transfer_proof=upload("转账凭证")),
    )
    html = r.content.decode()
    assert r.status_code == 400 and Order.objects.get(pk=completed.pk).status == S.COMPLETED
    kept = kept_ids(html)
    assert set(kept) == {"invoice", "transfer_proof"}
    invoice = Document.objects.get(pk=kept["invoice"])
    assert invoice.kind == "invoice" and invoice.uploaded_by == w.enterprise_user and not invoice.uses.exists()
    assert 'value="FP20261"' in html and 'value="3000"' in html  # typed values kept
    assert "data-error-summary" in html and 'href="#id_invoice_fen"' in html
    message = "发票金额必须等于企业自付部分加服务券金额"
    assert html.count(message) == 2  # once in the summary at the top, once beside the field — no flash message too
    # the user corrects the amount and sends the kept documents, without uploading anything again
    before = Document.objects.count()
    r = e.post(
        f"/orders/{completed.pk}/payment/",
        payment_post(w, invoice_fen="2000", invoice__kept=kept["invoice"], transfer_proof__kept=kept["transfer_proof"]),
    )
    assert r.status_code == 302 and Document.objects.count() == before
    payment = Order.objects.get(pk=completed.pk).payments.get()
    assert payment.invoice_id == int(kept["invoice"]) and payment.transfer_proof_id == int(kept["transfer_proof"])


def test_a_form_with_a_missing_field_still_keeps_the_file_that_was_chosen(w, completed):
    r = client(w.enterprise_user).post(
        f"/orders/{completed.pk}/payment/", payment_post(w, invoice_fen="2000", invoice=upload("发票"))
    )
    kept = kept_ids(r.content.decode())
    assert r.status_code == 400 and list(kept) == ["invoice"]
    assert 'href="#id_transfer_proof_picker"' in r.content.decode()


def test_another_users_pending_document_cannot_be_referenced(w, completed):
    stranger = enterprise_user(approved_enterprise())
    theirs = factories.material(stranger, "invoice", "别人的发票")
    mine = factories.material(w.enterprise_user, "transfer_proof", "转账")
    r = client(w.enterprise_user).post(
        f"/orders/{completed.pk}/payment/",
        payment_post(w, invoice_fen="2000", invoice__kept=theirs.pk, transfer_proof__kept=mine.pk),
    )
    assert r.status_code == 400 and not Order.objects.get(pk=completed.pk).payments.exists()
    assert "上次保留的文件已不可用" in r.content.decode()
    assert f'value="{theirs.pk}"' not in r.content.decode()


def test_pending_means_own_unused_and_of_the_kind(w, completed):
    mine = factories.material(w.enterprise_user, "invoice")
    assert pending_document(actor=w.enterprise_user, document_id=mine.pk, kind="invoice") == mine
    assert pending_document(actor=w.enterprise_user, document_id=mine.pk, kind="contract") is None
    assert pending_document(actor=w.provider_user, document_id=mine.pk) is None
    assert pending_document(actor=w.enterprise_user, document_id="x") is None
    assert pending_document(actor=w.enterprise_user, document_id=completed.contract_id) is None  # used already


def test_a_removed_kept_file_must_be_chosen_again(w, completed):
    mine = factories.material(w.enterprise_user, "invoice")
    proof = factories.material(w.enterprise_user, "transfer_proof")
    r = client(w.enterprise_user).post(
        f"/orders/{completed.pk}/payment/",
        payment_post(w, invoice_fen="2000", invoice__kept=mine.pk, invoice__drop="1", transfer_proof__kept=proof.pk),
    )
    assert r.status_code == 400 and "请至少选择一个文件" in r.content.decode()


def test_the_payment_form_starts_from_the_expected_amount_and_shows_the_difference(w, completed):
    html = client(w.enterprise_user).get(f"/orders/{completed.pk}/").content.decode()
    assert 'name="voucher_fen" value="1000"' in html
    assert "data-payment-difference" in html and "data-payment-total" in html


def test_the_order_form_states_the_real_maximum(w):
    # tier ¥3,000 at 50 % → ¥1,500; the wallet holds ¥20,000: the coverage limit is the maximum
    html = client(w.enterprise_user).get(f"/orders/new/{w.revision.pk}/").content.decode()
    assert "通常为" not in html and "¥1,500.00" in html and 'data-testid="maximum-table"' in html
    assert 'name="expected_voucher_fen" value="1500"' in html  # pre-filled with the maximum of the first option
    assert 'data-testid="quota-left"' in html


def test_voucher_maximum_is_the_lowest_of_coverage_limit_and_wallet(w):
    assert services.voucher_maximum_fen(batch=w.batch, price_fen=3_000_00, wallet_fen=20_000_00) == 1_500_00
    assert services.voucher_maximum_fen(batch=w.batch, price_fen=3_000_00, wallet_fen=900_00) == 900_00


@pytest.mark.parametrize("url", ["/orders/", "/orders/?q=D&status=placed", "/orders/?page=2"])
def test_the_order_list_costs_the_same_queries_for_few_or_many_rows(w, url, django_assert_max_num_queries):
    e = client(w.enterprise_user)
    factories.place(w, expected_fen=100_00)
    e.get(url)  # warm caches (sessions, permissions)
    with django_assert_max_num_queries(14) as few:  # the list and the navigation's badges
        e.get(url)
    for _ in range(60):
        factories.place(w, expected_fen=100_00)
    # At most the count more: a first page that is not full holds every row and is not counted (core.lists).
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        e.get(url)


def test_the_order_list_finds_an_order_by_its_number(w):
    first, second = factories.place(w), factories.place(w)
    html = client(w.enterprise_user).get("/orders/", {"q": second.number.lower()}).content.decode()
    assert f"order-row-{second.pk}" in html and f"order-row-{first.pk}" not in html
    html = client(w.enterprise_user).get("/orders/", {"q": "没有这个订单"}).content.decode()
    assert 'data-testid="empty-state"' in html


@pytest.mark.parametrize("q", ["a\x00b", "x" * 500, "D99999999999999999999999"])
def test_list_searches_take_any_text(w, q):
    """Odd search text (very long, a number past any id) gets a page, never an error (PostgreSQL included); a NUL
    byte gets the site's 400 page (core.middleware.RefuseNulMiddleware)."""
    expected = 400 if "\x00" in q else 200
    for user, url in (
        (w.enterprise_user, "/orders/"),
        (w.unit, "/orders/refunds/"),
        (w.provider_user, "/redemption/"),
        (w.unit, "/vouchers/batches/"),
        (w.unit, "/providers/changes/"),
        (w.unit, "/products/review/"),
        (w.unit, "/notices/manage/"),
        (w.provider_user, "/documents/"),
        (w.unit, "/providers/"),
        (w.unit, "/enterprises/"),
        (w.unit, "/directory/"),
        (w.provider_user, "/products/"),
        (w.enterprise_user, "/notifications/"),
    ):
        assert client(user).get(url, {"q": q, "status": "nonsense", "page": "x"}).status_code == expected, url
