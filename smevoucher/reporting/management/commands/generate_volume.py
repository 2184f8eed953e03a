# ruff: noqa: S608  (SQL built from table and column names of our own models and integers, never from input)
"""`manage.py generate_volume --orders N`: a province-sized year for benchmarks (PostgreSQL only).

The few objects with rules of their own are made through the services (providers and their products, one batch per
city, created and opened); the bulk is set-based SQL, `INSERT … SELECT … FROM generate_series(…)` with ids taken from
reserved ranges so the rows can point at each other, then the sequences are moved past them:

- N/5 approved enterprises (organisations too) spread over the cities, one claim each in its city's batch,
  fully allocated (one allocation transaction per batch: pool → wallets);
- N orders, five per enterprise, round-robin over the providers; by `i % 10`: 6 paid (escrow → provider; every
  20th for ¥100 less than expected, the rest released to the wallet), 1 confirmed, 1 placed, 1 payment
  submitted (all three holding their escrow), 1 cancelled (escrow → wallet again);
- each order's escrow account and its ledger transactions and entries (earmark, payment, release), then every
  account's cached balance set to opening + the sum of its entries, the providers' cap use (R7) per city and
  their receipt totals per batch;
- each order's placement in the audit trail (one event per order, sealed into the chain).

With `--notifications N` one enterprise user (`volume-enterprise`, of the first generated enterprise) gets N
notifications, and with `--batch-claims N` one more batch (the first city's, open) gets N waiting claims of the first
N generated enterprises (whatever their city: list volume, not a rule walk-through); both for the list benchmark
(bench/lists.py). `verify_ledger` and `verify_audit` accept the result. Payments, contracts and documents are not
generated (the reports do not read them). Measured on a shared 2-core machine: 100,000 orders in about 40 s,
1,000,000 in 3.5 to 4.5 minutes (of which about 35 s is the set-up through the services), plus about 100 s for the
audit trail (sealing 1,000,000 events).
"""

import time
from datetime import datetime, timedelta
from math import gcd

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Sum

from smevoucher.accounts.models import City, Organisation, User
from smevoucher.core import clock
from smevoucher.enterprises.models import Enterprise
from smevoucher.orders.models import Order
from smevoucher.orders.services import receipt_totals_rebuild
from smevoucher.vouchers.models import (
    Batch,
    CapUsage,
    Claim,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)

ORDERS_PER_ENTERPRISE = 5
CLAIM_FEN = 2_000_000  # ¥20,000 each (the default annual quota)
EXPECTED_FEN = 100_000  # ¥1,000 per order
PRICE_FEN = 300_000


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_table(model)}")
        return cursor.fetchone()[0] + 1


def _move_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {_table(model)}))", [table]
        )


def _defaults(model, given: dict) -> dict[str, str]:
    literals = {}
    for field in model._meta.concrete_fields:
        if field.column in given or field.null or field.primary_key or field.generated:
            continue
        value = field.get_default()
        if isinstance(value, bool):
            literals[field.column] = "TRUE" if value else "FALSE"
        elif isinstance(value, int):
            literals[field.column] = str(value)
        elif isinstance(value, str):
            literals[field.column] = "'" + value.replace("'", "''") + "'"
    return literals


def _insert(model, n: int, columns: dict[str, str], params=(), *, where: str = "") -> int:
    """INSERT INTO model's table (columns) SELECT expressions FROM generate_series(1, n) AS g(i) [WHERE …].
    Columns not given that may not be NULL get their field's default (text, number or flag), so a column that
    another app adds later does not break the generator."""
    columns = {**_defaults(model, columns), **columns}
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    exprs = ", ".join(columns.values()).replace(" % ", " %% ")  # modulo, not a placeholder
    sql = f"INSERT INTO {_table(model)} ({names}) SELECT {exprs} FROM generate_series(1, %s) AS g(i)"
    if where:
        sql += " WHERE " + where.replace(" % ", " %% ")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, n])
        return cursor.rowcount


class Command(BaseCommand):
    help = "Generate a province-sized year of claims, orders and a consistent voucher ledger (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, required=True, help="orders to generate (5 per enterprise)")
        parser.add_argument(
            "--providers", type=int, default=4, help="providers (made through the services once, then reused)"
        )
        parser.add_argument("--cities", type=int, default=21, help="cities with a batch (at most 21)")
        parser.add_argument("--notifications", type=int, default=0, help="notifications for one enterprise user")
        parser.add_argument("--batch-claims", type=int, default=0, help="waiting claims in one more open batch")

    def handle(self, *args, orders: int, providers: int, cities: int, notifications: int, batch_claims: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_volume needs PostgreSQL (set DATABASE_URL).")
        if not 10 <= orders <= 5_000_000 or not 2 <= providers <= 1000 or not 1 <= cities <= 21:
            raise CommandError("orders 10..5000000, providers 2..1000, cities 1..21")
        if not 0 <= notifications <= 5_000_000 or not 0 <= batch_claims <= orders // ORDERS_PER_ENTERPRISE:
            raise CommandError("notifications 0..5000000, batch claims 0..orders / 5 (one per enterprise)")
        started = time.monotonic()
        n_ent = max(orders // ORDERS_PER_ENTERPRISE, cities)
        city_list = list(City.objects.order_by("code")[:cities])
        product_rows = self._providers(providers)
        batches = self._batches(city_list, n_ent)
        self.stdout.write(f"set-up through the services: {time.monotonic() - started:.1f} s")
        t = time.monotonic()
        big_batch = self._batches(city_list[:1], batch_claims, name="大批次")[city_list[0].pk] if batch_claims else None
        with transaction.atomic():
            with connection.cursor() as cursor:
                # The bulk rows point at ids taken from reserved ranges, so their foreign keys hold by construction;
                # as pg_restore does, a superuser loads them with the per-row FK triggers off (ten times faster)
                # and `_orphans` checks every loaded reference afterwards in a few set-based queries.
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                fast = cursor.fetchone()[0]
                cursor.execute(
                    "SET LOCAL session_replication_role = replica" if fast else "SET CONSTRAINTS ALL IMMEDIATE"
                )
            ent0 = self._bulk(orders, n_ent, city_list, batches, product_rows)
            self._list_volume(ent0, notifications, big_batch, batch_claims)
            self._audit_trail(orders)
            if fast:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = origin")
                self._orphans()
            t_commit = time.monotonic()
        self.stdout.write(f"  commit: {time.monotonic() - t_commit:.1f} s (bulk in all {time.monotonic() - t:.1f} s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"{orders} orders, {n_ent} enterprises, {len(batches)} batches, {providers} providers "
                f"in {time.monotonic() - started:.1f} s"
            )
        )

    def _orphans(self) -> None:
        """Every foreign key the bulk load wrote points at a row (checked once, set-based)."""
        checks = [
            (Enterprise, "organisation_id", Organisation),
            (Claim, "enterprise_id", Enterprise),
            (Claim, "batch_id", Batch),
            (Order, "enterprise_id", Enterprise),
            (Order, "batch_id", Batch),
            (LedgerAccount, "enterprise_id", Enterprise),
            (LedgerAccount, "provider_id", Organisation),
            (LedgerEntry, "account_id", LedgerAccount),
            (LedgerEntry, "transaction_id", LedgerTransaction),
        ]
        with connection.cursor() as cursor:
            for model, column, target in checks:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {_table(model)} AS r WHERE r.{column} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {_table(target)} AS t WHERE t.id = r.{column})"
                )
                missing = cursor.fetchone()[0]
                if missing:
                    raise CommandError(f"{model._meta.db_table}.{column}: {missing} rows point nowhere")

    def _providers(self, count: int) -> list[tuple]:
        """(provider id, organisation id, product id, revision id, tier id, product name, tier name, provider name)
        per provider."""
        from smevoucher.catalogue.factories import published_product
        from smevoucher.catalogue.models import Product
        from smevoucher.providers.factories import approved_provider

        existing = Product.objects.filter(status="published", provider__level="provincial").order_by("pk")
        products = list(existing.select_related("provider__organisation")[:count])  # reused from an earlier run
        while len(products) < count:
            products.append(published_product(approved_provider(level="provincial")))
        rows = []
        for product in products:
            revision = product.published_revision
            tier = revision.tiers.order_by("position", "pk").first()
            rows.append(
                (
                    product.provider_id,
                    product.provider.organisation_id,
                    product.pk,
                    revision.pk,
                    tier.pk,
                    revision.name,
                    tier.name,
                    product.provider.organisation.name,
                )
            )
        return rows

    def _list_volume(self, ent0: int, notifications: int, batch, batch_claims: int) -> None:
        """The lists' extremes: one user's notifications, one batch's claims (both set-based)."""
        from smevoucher.notices.models import Notification

        t = time.monotonic()
        now = clock.now()
        if notifications:
            enterprise = Enterprise.objects.get(pk=ent0)
            user, _created = User.objects.get_or_create(
                username="volume-enterprise",
                defaults={
                    "organisation_id": enterprise.organisation_id,
                    "email": "volume@example.invalid",
                    "role": User.Role.ADMIN,
                },
            )
            _insert(
                Notification,
                notifications,
                {
                    "user_id": str(user.pk),
                    "event": "'orders.order_confirmed'",
                    "title": "'订单已确认 D' || lpad(g.i::text, 8, '0')",
                    "body": "''",
                    "url": "''",
                    "object_type": "'orders.order'",
                    "object_id": "g.i::text",
                    "created_at": "%s - g.i * interval '1 minute'",
                    "read_at": "(CASE WHEN g.i % 4 = 0 THEN NULL ELSE %s END)",
                },
                [now, now],
            )
        if batch_claims:
            _insert(
                Claim,
                batch_claims,
                {
                    "batch_id": str(batch.pk),
                    "enterprise_id": f"{ent0} + g.i - 1",
                    "year": str(batch.year),
                    "amount_fen": str(CLAIM_FEN),
                    "allocated_fen": "0",
                    "quota_fen": str(CLAIM_FEN),
                    "quota_returned_fen": "0",
                    "status": "'waiting'",
                    "priority": "(g.i % 10 = 0)",
                    "submitted_at": "%s + (g.i % 3600) * interval '1 second'",
                },
                [batch.claim_start],
            )
        if notifications or batch_claims:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {_table(Notification)}; ANALYZE {_table(Claim)}")
            self.stdout.write(f"  list volume: {time.monotonic() - t:.1f} s")

    def _audit_trail(self, orders: int) -> None:
        """Each generated order's placement in the audit trail, as the service records it, in the order of the time
        they happened; then sealed into the hash chain (the trail's lists at a province's volume, and
        `verify_audit` accepts the result)."""
        from smevoucher.core import audit
        from smevoucher.core.models import AuditEvent

        t = time.monotonic()
        after = (
            "jsonb_build_object('status', 'placed', 'revision', o.revision_id, 'tier', o.tier_id, 'price_fen', "
            "o.price_fen, 'expected_voucher_fen', o.expected_voucher_fen, 'batch', o.batch_id)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_table(AuditEvent)} (at, actor_id, actor_label, action, object_type, object_id, after, "
                "reason, request_id, prev_hash, hash) "
                f"SELECT o.placed_at, o.placed_by_id, u.username, 'order.placed', 'orders.order', o.id::text, {after}, "
                f"'', '', '', '' FROM {_table(Order)} o JOIN {_table(User)} u ON u.id = o.placed_by_id "
                "WHERE o.id >= %s AND o.id < %s ORDER BY o.placed_at, o.id",
                [self.order0, self.order0 + orders],
            )
            # Known statistics, so the sealer reads its chunks in id order rather than all unsealed events each time.
            cursor.execute(f"ANALYZE {_table(AuditEvent)}")
        sealed = audit.seal_pending(wait=True)
        self.stdout.write(f"  audit trail: {sealed} events sealed, {time.monotonic() - t:.1f} s")

    def _batches(self, city_list, n_ent: int, name: str = "服务券（生成）") -> dict[int, Batch]:
        """One batch per city whose window opened 20 days ago, sized for its enterprises' claims."""
        from smevoucher.accounts.factories import city_unit_user
        from smevoucher.vouchers import services

        tz = clock.now().tzinfo
        day = clock.today() - timedelta(days=20)
        start = datetime.combine(day, datetime.min.time(), tz).replace(hour=10)
        batches = {}
        for index, city in enumerate(city_list):
            per_city = len(range(index, n_ent, len(city_list)))
            unit = city_unit_user(city.code)
            with _frozen(start - timedelta(days=1)):
                batch = services.batch_create(
                    actor=unit,
                    name=f"{city.name}{day.year}年{name}",
                    total_fen=max(per_city, 1) * CLAIM_FEN,
                    claim_start=start,
                    claim_end=start + timedelta(hours=6),
                    service_start=day,
                    service_end=day + timedelta(days=180),  # R10: by the validity end
                    validity_end=day + timedelta(days=180),
                )
                batches[city.pk] = services.batch_open(actor=unit, batch_id=batch.pk)
        return batches

    def _bulk(self, orders: int, n_ent: int, city_list, batches: dict, products: list) -> int:
        """The bulk rows; returns the first generated enterprise's id."""
        now = clock.now()
        k = len(city_list)
        P = len(products)
        city_ids = [c.pk for c in city_list]
        batch_ids = [batches[c].pk for c in city_ids]
        some_batch = batches[city_ids[0]]
        # Enterprise number i is named after a permutation of 1..n_ent: a name says nothing of when the enterprise
        # registered, as in life (named in id order, a search for 生成企业7 found its orders in a few long runs of
        # the table, and a bounded count's cost depended on where its scan began). The 号 ends each name, so a full
        # name finds one enterprise at any size (生成企业77号, not 生成企业177号).
        step = next(m for m in range(7919, 7919 + n_ent + 2) if gcd(m, n_ent) == 1)

        def enterprise_name(number_expr: str) -> str:
            return f"'生成企业' || ((({number_expr}) * {step}) % {n_ent} + 1) || '号'"

        claim_start = some_batch.claim_start
        deadline = some_batch.order_deadline

        def pick(values, index_expr: str) -> str:
            """A SQL CASE picking values[index] for an integer index expression."""
            whens = " ".join(f"WHEN {i} THEN {int(v)}" for i, v in enumerate(values))
            return f"(CASE {index_expr} {whens} END)"

        def pick_text(values, index_expr: str) -> str:
            quoted = (str(v).replace("'", "''") for v in values)  # our own constants: names, statuses
            whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(quoted))
            return f"(CASE {index_expr} {whens} END)"

        actor = User.objects.filter(organisation__kind=Organisation.Kind.CITY_UNIT).order_by("pk").first()

        t = time.monotonic()
        org0, ent0 = _next_id(Organisation), _next_id(Enterprise)
        city_of = pick(city_ids, f"((g.i - 1) % {k})")
        _insert(
            Organisation,
            n_ent,
            {
                "id": f"{org0} + g.i - 1",
                "kind": "'enterprise'",
                "name": enterprise_name("g.i"),
                "city_id": city_of,
                "email": "''",
                "phone": "''",
                "contact_person": "''",
                "created_at": "%s",
            },
            [now],
        )
        sizes, industries = ["medium", "small", "micro"], ["C", "I", "F", "M", "L"]
        _insert(
            Enterprise,
            n_ent,
            {
                "id": f"{ent0} + g.i - 1",
                "organisation_id": f"{org0} + g.i - 1",
                "uscc": "'G' || lpad(g.i::text, 17, '0')",
                "city_id": city_of,
                "size": pick_text(sizes, "(g.i % 3)"),
                "industry": pick_text(industries, "(g.i % 5)"),
                "legal_representative": "'张三'",
                "contact_name": "'李四'",
                "contact_phone": "'020-00000000'",
                "contact_email": "'gen' || g.i || '@example.invalid'",
                "status": "'approved'",
                "review_note": "''",
                "created_at": "%s",
            },
            [now],
        )
        self.stdout.write(f"  enterprises: {time.monotonic() - t:.1f} s")

        # Claims (one per enterprise, fully allocated) and wallets, then one allocation transaction per batch.
        t = time.monotonic()
        claim0, acc0 = _next_id(Claim), _next_id(LedgerAccount)
        batch_of = pick(batch_ids, f"((g.i - 1) % {k})")
        _insert(
            Claim,
            n_ent,
            {
                "id": f"{claim0} + g.i - 1",
                "batch_id": batch_of,
                "enterprise_id": f"{ent0} + g.i - 1",
                "year": str(some_batch.year),
                "amount_fen": str(CLAIM_FEN),
                "allocated_fen": str(CLAIM_FEN),
                "quota_fen": str(CLAIM_FEN),
                "quota_returned_fen": "0",
                "status": "'allocated'",
                "priority": "(g.i % 10 = 0)",
                # the opening rush: every claim in the window's first hour
                "submitted_at": "%s + (g.i % 3600) * interval '1 second'",
                "order_deadline": "%s",
            },
            [claim_start, deadline],
        )
        _insert(
            LedgerAccount,
            n_ent,
            {
                "id": f"{acc0} + g.i - 1",
                "batch_id": batch_of,
                "kind": "'wallet'",
                "enterprise_id": f"{ent0} + g.i - 1",
                "opening_fen": "0",
                "balance_fen": "0",
            },
        )
        txn0 = _next_id(LedgerTransaction)
        _insert(
            LedgerTransaction,
            k,
            {
                "id": f"{txn0} + g.i - 1",
                "batch_id": pick(batch_ids, "(g.i - 1)"),
                "kind": "'allocation'",
                "actor_id": "NULL",
                "object_type": "''",
                "object_id": "''",
                "memo": "'generate_volume'",
                "created_at": "%s",
            },
            [claim_start + timedelta(hours=6, minutes=1)],
        )
        entry0 = _next_id(LedgerEntry)
        _insert(
            LedgerEntry,
            n_ent,
            {
                "id": f"{entry0} + g.i - 1",
                "transaction_id": f"{txn0} + ((g.i - 1) % {k})",
                "account_id": f"{acc0} + g.i - 1",
                "amount_fen": str(CLAIM_FEN),
            },
        )
        pools = dict(LedgerAccount.objects.filter(batch_id__in=batch_ids, kind="pool").values_list("batch_id", "pk"))
        per_batch = [len(range(i, n_ent, k)) * CLAIM_FEN for i in range(k)]
        _insert(
            LedgerEntry,
            k,
            {
                "id": f"{entry0 + n_ent} + g.i - 1",
                "transaction_id": f"{txn0} + g.i - 1",
                "account_id": pick([pools[b] for b in batch_ids], "(g.i - 1)"),
                "amount_fen": "-" + pick(per_batch, "(g.i - 1)"),
            },
        )
        Batch.objects.filter(pk__in=batch_ids).update(status=Batch.Status.ALLOCATED, allocated_at=now)
        self.stdout.write(f"  claims and allocation: {time.monotonic() - t:.1f} s")

        # Orders: order i belongs to enterprise ((i - 1) % n_ent) + 1, provider (i - 1) % P.
        t = time.monotonic()
        order0 = self.order0 = _next_id(Order)
        e_index = f"((g.i - 1) % {n_ent})"  # 0-based enterprise index
        status = pick_text(
            ["payment_confirmed"] * 6 + ["confirmed", "placed", "payment_submitted", "cancelled"], "(g.i % 10)"
        )
        paid = "(g.i % 10 < 6)"
        short = f"(CASE WHEN g.i % 20 = 0 THEN {EXPECTED_FEN - 10_000} ELSE {EXPECTED_FEN} END)"  # ¥100 less
        voucher = f"(CASE WHEN {paid} THEN {short} ELSE 0 END)"
        reserving = "(g.i % 10 IN (6, 8))"
        prov = f"((g.i - 1) % {P})"
        _insert(
            Order,
            orders,
            {
                "id": f"{order0} + g.i - 1",
                "enterprise_id": f"{ent0} + {e_index}",
                "provider_id": pick([p[0] for p in products], prov),
                "product_id": pick([p[2] for p in products], prov),
                "revision_id": pick([p[3] for p in products], prov),
                "tier_id": pick([p[4] for p in products], prov),
                "product_name": "'生成服务产品'",
                "enterprise_name": enterprise_name(f"{e_index} + 1"),
                "provider_name": pick_text([p[7] for p in products], prov),
                "tier_name": "''",
                "price_fen": str(PRICE_FEN),
                "batch_id": pick(batch_ids, f"({e_index} % {k})"),
                "city_id": pick(city_ids, f"({e_index} % {k})"),  # the batch's city
                "expected_voucher_fen": str(EXPECTED_FEN),
                "contract_due": "%s",
                "reserved_fen": f"(CASE WHEN {reserving} THEN {EXPECTED_FEN} ELSE 0 END)",
                "voucher_fen": voucher,
                "status": status,
                "note": "''",
                "contract_return_reason": "''",
                "decline_reason": "''",
                "placed_by_id": str(actor.pk),
                "placed_at": "%s - (g.i % 864000) * interval '1 second'",
                "payment_confirmed_at": f"(CASE WHEN {paid} THEN %s ELSE NULL END)",
                "updated_at": "%s",
            },
            [deadline, now, now, now],
        )
        self.stdout.write(f"  orders: {time.monotonic() - t:.1f} s")

        # Escrow accounts, and per order: earmark (wallet → escrow), payment (escrow → provider), release.
        t = time.monotonic()
        esc0 = _next_id(LedgerAccount)
        _insert(
            LedgerAccount,
            orders,
            {
                "id": f"{esc0} + g.i - 1",
                "batch_id": pick(batch_ids, f"({e_index} % {k})"),
                "kind": "'escrow'",
                "enterprise_id": f"{ent0} + {e_index}",
                "order_id": f"{order0} + g.i - 1",
                "opening_fen": "0",
                "balance_fen": "0",
                "payment_submitted_at": "(CASE WHEN g.i % 10 = 8 THEN %s ELSE NULL END)",
            },
            [now],
        )
        prov_acc0 = _next_id(LedgerAccount)
        # one provider account per (batch, provider): index b * P + p
        _insert(
            LedgerAccount,
            k * P,
            {
                "id": f"{prov_acc0} + g.i - 1",
                "batch_id": pick(batch_ids, f"((g.i - 1) / {P})"),
                "kind": "'provider'",
                "provider_id": pick([p[1] for p in products], f"((g.i - 1) % {P})"),
                "opening_fen": "0",
                "balance_fen": "0",
            },
        )
        txn0 = _next_id(LedgerTransaction)
        kinds = [("earmark", "TRUE"), ("payment", paid), ("release", f"(g.i % 10 = 9 OR ({paid} AND g.i % 20 = 0))")]
        for offset, (kind, condition) in enumerate(kinds):
            _insert(
                LedgerTransaction,
                orders,
                {
                    "id": f"{txn0 + offset * orders} + g.i - 1",
                    "batch_id": pick(batch_ids, f"({e_index} % {k})"),
                    "kind": f"'{kind}'",
                    "actor_id": "NULL",
                    "object_type": "'orders.order'",
                    "object_id": f"({order0} + g.i - 1)::text",
                    "memo": "''",
                    "created_at": "%s",
                },
                [now],
                where=condition,
            )
        entry0 = _next_id(LedgerEntry)
        wallet = f"{acc0} + {e_index}"
        escrow = f"{esc0} + g.i - 1"
        provider_acc = f"{prov_acc0} + ({e_index} % {k}) * {P} + ((g.i - 1) % {P})"
        released = f"(CASE WHEN g.i % 10 = 9 THEN {EXPECTED_FEN} ELSE {EXPECTED_FEN} - {voucher} END)"
        legs = [
            (0, "TRUE", wallet, f"-{EXPECTED_FEN}"),
            (0, "TRUE", escrow, str(EXPECTED_FEN)),
            (1, paid, escrow, f"-{voucher}"),
            (1, paid, provider_acc, voucher),
            (2, kinds[2][1], escrow, f"-{released}"),
            (2, kinds[2][1], wallet, released),
        ]
        for leg, (txn_offset, condition, account, amount) in enumerate(legs):
            _insert(
                LedgerEntry,
                orders,
                {
                    "id": f"{entry0 + leg * orders} + g.i - 1",
                    "transaction_id": f"{txn0 + txn_offset * orders} + g.i - 1",
                    "account_id": account,
                    "amount_fen": amount,
                },
                where=condition,
            )
        for model in (Organisation, Enterprise, Claim, LedgerAccount, LedgerTransaction, LedgerEntry, Order):
            _move_sequence(model)
        self.stdout.write(f"  ledger: {time.monotonic() - t:.1f} s")

        # The cached balances: opening + the sum of the entries (what verify_ledger recomputes).
        t = time.monotonic()
        accounts, entries = _table(LedgerAccount), _table(LedgerEntry)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {accounts} AS a SET balance_fen = a.opening_fen + s.total "
                f"FROM (SELECT account_id, SUM(amount_fen) AS total FROM {entries} GROUP BY account_id) AS s "
                f"WHERE a.id = s.account_id AND a.batch_id = ANY(%s)",
                [batch_ids],
            )
        # R7: the providers' cap use per issuing city (the batch's cap share of the city's total, R19).
        caps = CapUsage.objects
        rows = (
            Order.objects.filter(batch_id__in=batch_ids)
            .values("provider__organisation_id", "batch__city_id")
            .annotate(reserved=Sum("reserved_fen"), received=Sum("voucher_fen"))
        )
        city_cap = {b.city_id: b.total_fen * b.cap_bp // 10000 for b in batches.values()}
        caps.bulk_create(
            [
                CapUsage(
                    provider_id=r["provider__organisation_id"],
                    city_id=r["batch__city_id"],
                    year=some_batch.year,
                    cap_fen=city_cap[r["batch__city_id"]],
                    reserved_fen=r["reserved"] or 0,
                    received_fen=r["received"] or 0,
                )
                for r in rows
            ],
            update_conflicts=True,
            unique_fields=["provider", "city", "year"],
            update_fields=["cap_fen", "reserved_fen", "received_fen"],
        )
        receipt_totals_rebuild()  # the providers' receipt totals (issue 16), as the payment services keep them
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {accounts}; ANALYZE {entries}; ANALYZE {_table(Order)}; ANALYZE {_table(Claim)}")
        self.stdout.write(f"  balances and caps: {time.monotonic() - t:.1f} s")
        return ent0


class _frozen:
    """Run the services as if at `moment` (a batch's window in the past)."""

    def __init__(self, moment):
        from unittest import mock

        self.patch = mock.patch.object(clock, "now", return_value=moment)

    def __enter__(self):
        self.patch.start()

    def __exit__(self, *exc):
        self.patch.stop()
