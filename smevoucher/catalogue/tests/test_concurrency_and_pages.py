"""Concurrency (one working revision per product, one decision), page behaviour (bad input changes nothing, each
missing item named), and the guard that only the catalogue is open to anonymous visitors."""

import re
import threading

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from smevoucher.accounts.factories import login_verified
from smevoucher.catalogue import services
from smevoucher.catalogue.factories import draft_product, published_product
from smevoucher.catalogue.models import ProductRevision
from smevoucher.core.errors import Conflict
from smevoucher.providers.factories import provider_user_of, reviewer_for


def run_together(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_edits_of_a_published_product_start_one_new_revision():
    product = published_product(tiers=False)
    user = provider_user_of(product.provider)
    outcomes = run_together(
        [lambda n=n: services.product_update(actor=user, product_id=product.pk, duration=f"{n}天") for n in range(5)]
    )
    assert outcomes == ["ok"] * 5
    assert product.revisions.count() == 2
    assert product.revisions.filter(state="draft").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_approve_and_return_decide_once():
    product = draft_product(tiers=False)
    services.product_submit(actor=provider_user_of(product.provider), product_id=product.pk)
    unit = reviewer_for(product.provider)
    outcomes = run_together(
        [
            lambda: services.product_approve(actor=unit, product_id=product.pk),
            lambda: services.product_return(actor=unit, product_id=product.pk, reason="理由"),
        ]
    )
    assert sorted(outcomes) == ["not_in_review", "ok"]
    assert ProductRevision.objects.get(product=product).state in ("approved", "returned")


# --- pages -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_price_gets_a_chinese_message_and_changes_nothing(client):
    product = draft_product(tiers=False)
    login_verified(client, provider_user_of(product.provider))
    page = client.get(f"/products/{product.pk}/edit/")
    data = {key: value for key, value in page.context["form"].initial.items() if not isinstance(value, list)}
    data.update(
        {
            "pricing": "single",
            "price": "12.345",
            "regions": page.context["form"].initial["regions"],
            "target_sizes": ["small"],
        }
    )
    response = client.post(f"/products/{product.pk}/edit/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "最多两位小数" in response.content.decode()
    assert product.revisions.get().tiers.get().price_fen == 800000


@pytest.mark.django_db
def test_submitting_an_incomplete_product_names_each_missing_item(client):
    product = draft_product(sets=1)  # range-priced: needs 3 to 5 sets
    login_verified(client, provider_user_of(product.provider))
    response = client.post(f"/products/{product.pk}/submit/", follow=True)
    page = response.content.decode()
    assert "需提供 3 至 5 套历史服务材料" in page and "目前有 1 套" in page
    assert product.revisions.get().state == "draft"


@pytest.mark.django_db
def test_the_editor_saves_a_range_priced_draft_from_yuan_text(client):
    product = draft_product(tiers=False)
    login_verified(client, provider_user_of(product.provider))
    page = client.get(f"/products/{product.pk}/edit/")
    data = {key: value for key, value in page.context["form"].initial.items() if not isinstance(value, list)}
    data.update(
        {
            "regions": page.context["form"].initial["regions"],
            "target_sizes": ["small", "micro"],
            "pricing": "tiers",
            "price": "",
            "tier_1_name": "基础",
            "tier_1_description": "一次",
            "tier_1_price": "1,000.50",
            "tier_2_name": "完整",
            "tier_2_description": "三次",
            "tier_2_price": "¥2800",
        }
    )
    response = client.post(f"/products/{product.pk}/edit/", data)
    assert response.status_code == 302
    revision = product.revisions.get()
    assert [t.price_fen for t in revision.tiers.all()] == [100050, 280000]
    assert (revision.price_min_fen, revision.price_max_fen) == (100050, 280000)


# --- anonymous visitors -------------------------------------------------------------------------------------------

PUBLIC = re.compile(r"^/(catalogue/|api/v1/catalogue/)")


def catalogue_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from catalogue_paths(pattern, route)
        elif isinstance(pattern, URLPattern) and re.match(r"^(api/v1/)?(products|catalogue)/", route):
            yield "/" + re.sub(r"<int:\w+>", "1", route)


@pytest.mark.django_db
def test_only_the_catalogue_is_open_to_anonymous_visitors(client):
    paths = sorted(set(catalogue_paths()))
    assert "/products/1/approve/" in paths and "/api/v1/products/1/take-down/" in paths
    open_paths = []
    for path in paths:
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            refused = response.status_code in (401, 403, 404, 405) or (
                response.status_code == 302 and "/accounts/login/" in response.url
            )
            if not refused and not PUBLIC.match(path):
                open_paths.append(f"{method.upper()} {path} -> {response.status_code}")
    assert open_paths == []
    assert client.get("/catalogue/").status_code == 200
