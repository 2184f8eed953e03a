"""The fast mode of `simulate_scheme` (`--bulk`): a seeded year written straight into the tables, with planted
cases of every signal and the ground truth. Only for timing the full scan at 10k and 100k orders (bench/integrity.py):
a year of 100k orders through the services takes hours on the shared 2-core machine.

It writes rows in bulk (one insert per table and chunk), imitating what the services write (statuses, timestamps,
payments, traces, document findings), but it plants each case as the row pattern a rule looks for, and it writes
no ledger, audit or document files: its recall figures only confirm that the rules match their own patterns. The
honest figures come from the default, services-driven simulation (simulation.py). Clean behaviour is drawn to be
realistic where it matters to the signals: sign-ups bunch at the claim window, prices spread around the category's
level, services take 60–130 % of their stated cycle, shared offices exist (same building, different room).
"""

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from smevoucher.accounts.models import City, Organisation
from smevoucher.catalogue.models import Category, Comparable, Product, ProductRevision, ProductTier
from smevoucher.core import clock, identity
from smevoucher.core.models import ActionTrace
from smevoucher.directory.models import Entry, Level
from smevoucher.documents.models import Document, Finding, Kind
from smevoucher.enterprises.models import Enterprise
from smevoucher.orders.models import Order, Payment
from smevoucher.orders.services import receipt_totals_rebuild
from smevoucher.providers.models import Provider
from smevoucher.vouchers.models import Batch

from .simulation import KINDS

CATEGORY_BASE_FEN = {
    c: random.Random(i).choice([3_000_00, 8_000_00, 20_000_00, 50_000_00]) for i, c in enumerate(Category.values)
}
CYCLES = [("15天", 15), ("30天", 30), ("30个工作日", 42), ("2个月", 60), ("3个月", 90)]
STREETS = ["天河路", "中山大道", "体育西路", "黄埔大道", "番禺大道", "科学大道", "东风路", "人民路", "解放路", "环市路"]


class World:
    """Everything planted, and the truth: order id → the kinds of case it belongs to."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.labels: dict[int, set] = defaultdict(set)
        self.serial = 0

    def next(self) -> int:
        self.serial += 1
        return self.serial


def _set_created(model, values: dict) -> None:
    """auto_now_add columns are set in one UPDATE … FROM (VALUES …) per chunk."""
    table = model._meta.db_table
    items = list(values.items())
    if connection.vendor != "postgresql":  # SQLite (a developer's `make test`): row by row, the sizes are small
        for pk, at in items:
            model.objects.filter(pk=pk).update(created_at=at)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(items), 5000):
            chunk = items[start : start + 5000]
            placeholders = ",".join(["(%s, %s::timestamptz)"] * len(chunk))
            # the table name is the model's own; the values are parameters
            sql = f"UPDATE {table} t SET created_at = v.at FROM (VALUES {placeholders}) v(id, at) WHERE t.id = v.id"  # noqa: S608
            cursor.execute(
                sql,
                [x for pair in chunk for x in pair],
            )


@transaction.atomic
def simulate_bulk(*, seed: int, enterprises: int, providers: int, fraud_share: float) -> dict:
    w = World(seed)
    rng = w.rng
    run = f"s{seed}x{rng.randrange(10**6)}"
    cities = list(City.objects.order_by("code")[:3])
    year_start = timezone.make_aware(datetime(clock.today().year - 1, 1, 1, 9))
    User = get_user_model()
    admin_org = Organisation.objects.create(kind=Organisation.Kind.PROVINCE_UNIT, name=f"模拟{run}", city=None)
    actor = User.objects.create(username=f"sim-{run}", organisation=admin_org)
    blank = Document.objects.create(
        organisation=admin_org,
        kind=Kind.OTHER,
        file="sim/blank.pdf",
        filename="blank.pdf",
        size=1,
        page_count=1,
        sha256="0" * 64,
        uploaded_by=actor,
    )

    # --- providers and their products -------------------------------------------------------------------------
    p_orgs = Organisation.objects.bulk_create(
        Organisation(kind=Organisation.Kind.PROVIDER, name=f"模拟服务机构{run}-{i}", city=cities[i % len(cities)])
        for i in range(providers)
    )
    entries = Entry.objects.bulk_create(
        Entry(
            name=o.name,
            name_key=o.name,
            level=Level.PROVINCIAL,
            recognition_year=2024,
            valid_until=year_start.date() + timedelta(days=800),
        )
        for o in p_orgs
    )
    provider_rows = []
    for i, (org, entry) in enumerate(zip(p_orgs, entries, strict=True)):
        id_number = f"44{rng.randrange(10**15):015d}X"
        address = f"广东省广州市天河区{rng.choice(STREETS)}{rng.randrange(1, 999)}号{rng.randrange(100, 3000)}室"
        phone = f"13{rng.randrange(10**9):09d}"
        account = f"6222{rng.randrange(10**14):014d}"
        provider_rows.append(
            Provider(
                organisation=org,
                entry=entry,
                name_key=f"{run}-{i}",
                level=Level.PROVINCIAL,
                city=org.city,
                uscc=f"P{run[-6:]}{i:09d}"[:18],
                legal_representative=f"法人{i}",
                contact_name=f"联系人{i}",
                contact_phone=phone,
                contact_email=f"p{i}@sim.test",
                address=address,
                bank_name="模拟银行",
                bank_account_name=org.name,
                bank_account=account,
                commitment_date=year_start.date(),
                licence=blank,
                commitment_letter=blank,
                status=Provider.Status.APPROVED,
                submitted_at=year_start,
                legal_rep_id_hash=identity.id_number_hash(id_number),
                legal_rep_id_last4=id_number[-4:],
                address_key=identity.address_key(address),
                phone_key=identity.phone_key(phone),
                bank_account_key=identity.account_key(account),
            )
        )
    provider_list = Provider.objects.bulk_create(provider_rows)
    products, revisions = [], []
    for provider in provider_list:
        for _n in range(2):
            products.append(Product(provider=provider, status=Product.Status.UNPUBLISHED))
    Product.objects.bulk_create(products)
    for product in products:
        category = rng.choice(Category.values)
        cycle_text, _days = rng.choice(CYCLES)
        revisions.append(
            ProductRevision(
                product=product,
                number=1,
                state=ProductRevision.State.DRAFT,
                name=f"服务{product.pk}",
                category=category,
                duration=cycle_text,
                created_by=actor,
            )
        )
    ProductRevision.objects.bulk_create(revisions)
    tiers, comparables = [], []
    for revision in revisions:
        price = int(CATEGORY_BASE_FEN[revision.category] * rng.lognormvariate(0, 0.35)) // 100 * 100 + 100
        tiers.append(ProductTier(revision=revision, position=0, price_fen=price))
        for position in range(2):
            comparables.append(
                Comparable(
                    revision=revision,
                    position=position,
                    competitor="同行",
                    product_name="同类服务",
                    price_fen=int(price * rng.uniform(0.8, 1.3)),
                    source="市场",
                )
            )
    # the planted overpriced tiers: about three orders each (approved revisions take no new tiers)
    outlier_count = max(1, int(enterprises * fraud_share / len(KINDS)) // 3)
    outlier_tier = {
        revision.product_id: ProductTier(
            revision=revision, position=1, name="尊享", price_fen=CATEGORY_BASE_FEN[revision.category] * 6
        )
        for revision in rng.sample(revisions, min(outlier_count, len(revisions)))
    }
    ProductTier.objects.bulk_create([*tiers, *outlier_tier.values()])
    Comparable.objects.bulk_create(comparables)
    ProductRevision.objects.filter(pk__in=[r.pk for r in revisions]).update(state=ProductRevision.State.APPROVED)
    for product, revision in zip(products, revisions, strict=True):
        product.published_revision, product.status = revision, Product.Status.PUBLISHED
    Product.objects.bulk_update(products, ["published_revision", "status"])
    offers = [(p, r, t) for p, r, t in zip(products, revisions, tiers, strict=True)]
    cycle_days = dict(CYCLES)

    batches = {
        city.pk: Batch.objects.create(
            city=city,
            name=f"模拟批次{run}",
            total_fen=10**13,
            claim_start=year_start,
            claim_end=year_start + timedelta(days=20),
            year=year_start.year,
            service_start=year_start.date(),
            service_end=(year_start + timedelta(days=360)).date(),
            validity_end=(year_start + timedelta(days=364)).date(),
            coverage_limit_bp=5000,
            status=Batch.Status.ALLOCATED,
            created_by=actor,
        )
        for city in cities
    }

    # --- enterprises --------------------------------------------------------------------------------------------
    def signup_time():
        # most sign up around the claim window; the rest through the year
        if rng.random() < 0.6:
            return year_start + timedelta(days=rng.uniform(-10, 20))
        return year_start + timedelta(days=rng.uniform(20, 300))

    e_specs = []
    for i in range(enterprises):
        e_specs.append(
            {
                "i": i,
                "city": cities[i % len(cities)],
                "id_number": f"44{rng.randrange(10**15):015d}{rng.randrange(10)}",
                "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                "address": f"广东省{rng.choice(['广州市', '深圳市', '佛山市'])}"
                f"{rng.choice(['天河区', '南山区', '禅城区'])}"
                f"{rng.choice(STREETS)}{rng.randrange(1, 400)}号{rng.randrange(100, 3000)}室",
                "account": f"6217{rng.randrange(10**14):014d}",
                "signed": signup_time(),
                "plan": None,
            }
        )
    # fraud: a share of the enterprises is drawn into cases, spread evenly over the kinds
    fraudsters = rng.sample(range(enterprises), int(enterprises * fraud_share))
    plans = defaultdict(list)
    for n, index in enumerate(fraudsters):
        plans[KINDS[n % len(KINDS)]].append(index)

    def bad_provider():
        return rng.choice(provider_list)

    for index in plans["related_party"]:
        spec, provider = e_specs[index], bad_provider()
        spec["plan"] = ("related_party", provider)
        field = rng.choice(["phone", "address", "id", "bank"])
        if field == "phone":
            spec["phone"] = provider.contact_phone
        elif field == "address":
            spec["address"] = provider.address.replace("广东省", "").replace(" ", "")  # written differently
        elif field == "id":
            spec["id_hash"] = provider.legal_rep_id_hash
        else:
            spec["account"] = provider.bank_account
    syndicate = plans["syndicate"]
    for start in range(0, len(syndicate), 4):
        members = syndicate[start : start + 4]
        if len(members) < 3:
            for index in members:  # too few left for a cluster: they stay clean
                e_specs[index]["plan"] = None
            continue
        field = rng.choice(["phone", "address", "account"])
        shared = e_specs[members[0]][field]
        for index in members:
            e_specs[index][field] = shared
            e_specs[index]["plan"] = ("syndicate", None)
    by_city = defaultdict(list)  # a burst is recruited in one city
    for index in plans["burst"]:
        by_city[e_specs[index]["city"].pk].append(index)
    for burst in by_city.values():
        for start in range(0, len(burst), 7):
            members = burst[start : start + 7]
            if len(members) < 6:
                continue
            provider = bad_provider()
            moment = year_start + timedelta(days=rng.uniform(60, 280))
            for index in members:
                e_specs[index]["signed"] = moment + timedelta(hours=rng.uniform(0, 60))
                e_specs[index]["plan"] = ("burst", provider)
    for kind in ("shared_device", "reused_evidence", "price_outlier", "split_orders", "implausible_timing"):
        for index in plans[kind]:
            e_specs[index]["plan"] = (kind, None)

    e_orgs = Organisation.objects.bulk_create(
        Organisation(kind=Organisation.Kind.ENTERPRISE, name=f"模拟企业{run}-{s['i']}", city=s["city"]) for s in e_specs
    )
    enterprise_rows = Enterprise.objects.bulk_create(
        Enterprise(
            organisation=org,
            uscc=f"E{run[-6:]}{s['i']:09d}"[:18],
            city=s["city"],
            size="small",
            industry="C",
            legal_representative=f"法人E{s['i']}",
            contact_name="联系人",
            contact_phone=s["phone"],
            contact_email=f"e{s['i']}@sim.test",
            status=Enterprise.Status.APPROVED,
            legal_rep_id_hash=s.get("id_hash") or identity.id_number_hash(s["id_number"]),
            legal_rep_id_last4=s["id_number"][-4:],
            registered_address=s["address"],
            address_key=identity.address_key(s["address"]),
            phone_key=identity.phone_key(s["phone"]),
        )
        for org, s in zip(e_orgs, e_specs, strict=True)
    )
    _set_created(Enterprise, {e.pk: s["signed"] for e, s in zip(enterprise_rows, e_specs, strict=True)})

    # --- orders ---------------------------------------------------------------------------------------------------
    orders, payments_for, kinds_for, traces_for = [], [], [], []

    def add_order(
        enterprise,
        spec,
        offer,
        placed,
        *,
        took_days=None,
        expected=None,
        kind=None,
        invoice=None,
        device=None,
        tier=None,
    ):
        product, revision, tier_row = offer
        tier_row = tier or tier_row
        price = tier_row.price_fen
        if took_days is None:
            took_days = cycle_days[revision.duration] * rng.uniform(0.6, 1.3)
        completed = placed + timedelta(days=took_days)
        expected = expected or price * rng.randrange(2000, 5001) // 10000
        order = Order(
            enterprise=enterprise,
            provider=product.provider,
            product=product,
            revision=revision,
            tier=tier_row,
            product_name=revision.name,
            enterprise_name=enterprise.organisation.name,
            provider_name=product.provider.organisation.name,
            price_fen=price,
            batch=batches[spec["city"].pk],
            city=spec["city"],
            expected_voucher_fen=expected,
            contract_due=placed + timedelta(days=60),
            reserved_fen=0,
            voucher_fen=expected,
            status=Order.Status.PAYMENT_CONFIRMED,
            placed_by=actor,
            placed_at=placed,
            confirmed_at=placed + timedelta(hours=rng.uniform(1, 48)),
            completed_at=completed,
            completed_on=completed.date(),
            payment_confirmed_at=completed + timedelta(days=rng.uniform(1, 10)),
        )
        orders.append(order)
        payments_for.append((invoice or f"FP{w.next():010d}", spec["account"], completed))
        kinds_for.append(kind)
        traces_for.append(device)
        return order

    def placed_after(spec):
        return spec["signed"] + timedelta(days=rng.uniform(3, 60))

    for enterprise, spec in zip(enterprise_rows, e_specs, strict=True):
        plan = spec["plan"]
        kind, provider = plan if plan else (None, None)
        own_offers = [o for o in offers if o[0].provider_id == provider.pk] if provider else []
        if kind in ("related_party", "burst"):
            for _n in range(rng.randint(1, 2)):
                add_order(enterprise, spec, rng.choice(own_offers), placed_after(spec), kind=kind)
            continue
        count = rng.choice([1, 1, 2, 2, 3])
        chosen = rng.sample(offers, count)
        for n, offer in enumerate(chosen):
            placed = placed_after(spec) + timedelta(days=40 * n)
            if kind == "split_orders" and n == 0:
                price = offer[2].price_fen
                for m in range(3):
                    add_order(
                        enterprise,
                        spec,
                        offer,
                        placed + timedelta(days=rng.uniform(0, 4) * m),
                        expected=price * 5000 // 10000,
                        kind=kind,
                    )
            elif kind == "implausible_timing" and n == 0:
                add_order(enterprise, spec, offer, placed, took_days=rng.uniform(0.1, 1.5), kind=kind)
            elif kind == "shared_device" and n == 0:
                add_order(enterprise, spec, offer, placed, kind=kind, device="shared")
            elif kind == "price_outlier" and n == 0:
                product_id = rng.choice(list(outlier_tier))
                offer = next(o for o in offers if o[0].pk == product_id)
                add_order(enterprise, spec, offer, placed, kind=kind, tier=outlier_tier[product_id])
            elif kind == "reused_evidence" and n == 0:
                first = add_order(enterprise, spec, offer, placed, kind=kind)
                second_offer = rng.choice(offers)
                add_order(
                    enterprise,
                    spec,
                    second_offer,
                    placed + timedelta(days=20),
                    kind=kind,
                    invoice=payments_for[-1][0] if rng.random() < 0.5 else None,
                )
                kinds_for[-1] = ("reused_evidence_file", first) if payments_for[-1][0] != payments_for[-2][0] else kind
            else:
                add_order(enterprise, spec, offer, placed, kind=kind if kind == "syndicate" else None)
    Order.objects.bulk_create(orders, batch_size=5000)
    Payment.objects.bulk_create(
        (
            Payment(
                order=order,
                invoice_number=number,
                invoice_date=completed.date(),
                invoice_fen=order.price_fen,
                own_share_fen=order.price_fen - order.voucher_fen,
                voucher_fen=order.voucher_fen,
                invoice=blank,
                transfer_proof=blank,
                payer_account=account,
                payer_account_key=identity.account_key(account),
                status=Payment.Status.CONFIRMED,
                submitted_by=actor,
                submitted_at=completed + timedelta(hours=5),
            )
            for order, (number, account, completed) in zip(orders, payments_for, strict=True)
        ),
        batch_size=5000,
    )
    # what the documents app records when one file serves two orders
    findings = []
    for order, kind in zip(orders, kinds_for, strict=True):
        if isinstance(kind, tuple):
            findings.append(
                Finding(
                    document=blank,
                    reason=Finding.Reason.OTHER_OBJECT,
                    other_document=blank,
                    object_type="orders.order",
                    object_id=str(order.pk),
                    other_object_id=str(kind[1].pk),
                    sha256="1" * 64,
                )
            )
    Finding.objects.bulk_create(findings, ignore_conflicts=True)
    # where each side acted from: its own office; a planted case shares one device
    traces = []
    for order, device in zip(orders, traces_for, strict=True):
        e_ip = f"10.{order.enterprise_id % 250}.{order.enterprise_id // 250 % 250}.{rng.randrange(1, 250)}"
        p_ip = f"172.16.{order.provider_id % 250}.{order.provider_id // 250 % 250}"
        e_agent = identity.user_agent_hash(f"agent-{order.enterprise_id % 97}")
        p_agent = identity.user_agent_hash(f"agent-{order.provider_id % 97}")
        if device == "shared":
            p_ip, p_agent = e_ip, e_agent
        traces.append(
            ActionTrace(
                at=order.placed_at,
                user=actor,
                organisation_id=order.enterprise.organisation_id,
                action="order",
                order_id=order.pk,
                ip_address=e_ip,
                user_agent_hash=e_agent,
            )
        )
        traces.append(
            ActionTrace(
                at=order.confirmed_at,
                user=actor,
                organisation_id=order.provider.organisation_id,
                action="confirm",
                order_id=order.pk,
                ip_address=p_ip,
                user_agent_hash=p_agent,
            )
        )
    ActionTrace.objects.bulk_create(traces, batch_size=10000)
    receipt_totals_rebuild()  # the paid orders were inserted, not confirmed through payment_confirm

    for order, kind in zip(orders, kinds_for, strict=True):
        if isinstance(kind, tuple):
            w.labels[order.pk].add("reused_evidence")
            w.labels[kind[1].pk].add("reused_evidence")
        elif kind:
            w.labels[order.pk].add(kind)
    return {
        "seed": seed,
        "enterprises": enterprises,
        "providers": providers,
        "fraud_share": fraud_share,
        "mode": "bulk",
        "orders": [order.pk for order in orders],
        "labels": {str(k): sorted(v) for k, v in w.labels.items()},
    }
