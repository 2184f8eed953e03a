"""A seeded year of the scheme, lived through the real services, with planted cases of every signal and the ground
truth (issue 17, "Measured, not assumed").

Everything is done by the people who would do it, through the services they would call: the province keeps the
directory; providers register, are approved and publish products (with their material sets) that a unit reviews;
city units open voucher batches and allocate them; enterprises sign up, are approved, claim, order, upload
contracts, pay with invoice and transfer proof (real uploads: the documents app fingerprints them); providers
confirm, complete, confirm receipt, ask for refunds and apply for redemption; units approve refunds and
redemptions; the deadline sweep (R8–R10, backfill) runs after each batch's deadlines. Time is simulated: a
discrete-event queue takes the steps in the order of their moment and moves the clock there
(`django.utils.timezone.now`, which `core.clock`, auto_now fields and the audit log read), so sign-up, placing,
completion and payment lie days or months apart as they would.
Each step runs under the actor's own client address and browser, set in `core.request_context` exactly as
RequestContextMiddleware sets them for a request, so `core.traces` records them as it does in production (with a
log-in trace when the actor starts a new session).

The fraud is behaviour, not rows: a shell enterprise signs up with its provider's legal representative, phone or
address, or pays from the provider's account (related_party); a provider's staff confirm and complete an order
from the enterprise's computer (shared_device); a second order is paid with the first one's invoice file, transfer
proof or invoice number, or its contract (reused_evidence); an overpriced product is published and ordered
(price_outlier); one service is ordered three times within days, each time with the most vouchers allowed
(split_orders); contract, completion and payment follow the order within a day or so (implausible_timing); a
provider signs up a handful of shells within days, all of which order from it (burst); three or four enterprises
share a phone, an address, a legal representative or a payer account (syndicate). Clean behaviour carries the
innocent look-alikes: sign-ups bunching before each claim window, offices in one building (different rooms), a
registration agent's phone shared by two enterprises, a rare repeat purchase of one product, mobile networks,
declines, cancellations, returned contracts, rejected payments and refunds.

The ground truth lists the orders that are live at the end (a declined or cancelled order is no case) and, for
each planted order, its kinds. The incremental scan after order events is off during the run (the nightly full
scan is what bench/integrity.py measures); e-mails go nowhere, passwords are hashed with the fastest hasher and
the audit log is sealed once at the end: these are the simulator's own savings, the services run unchanged.
Profiled (bench/integrity.py, 2 shared cores): about 240 queries an order over its life (payment with its two
uploads about 75, receipt 43, contract 37, placing 37), 50–60 orders a minute. Removed from the simulator itself:
identical upload content (every upload then matched every earlier one in the documents service's fingerprint
look-up; five times slower), a weekly sweep (now after each batch's deadlines), a monthly redemption look-up for
every provider and city (now quarterly, only where payments were received), a fresh read of the user per call.

For timing the scan at 100k orders there is a fast mode, `--bulk` (simulation_bulk.py), that writes rows directly.
"""

import heapq
import random
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from unittest import mock

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from smevoucher.accounts.models import City, Organisation, User
from smevoucher.catalogue import requirements
from smevoucher.catalogue import services as catalogue_services
from smevoucher.catalogue.models import Category
from smevoucher.core import audit, clock, request_context, traces
from smevoucher.core.errors import DomainError
from smevoucher.core.identity import id_number_check_character
from smevoucher.core.uscc import CHARSET, check_character
from smevoucher.directory import services as directory_services
from smevoucher.directory.models import Level
from smevoucher.documents.services import document_upload
from smevoucher.enterprises import services as enterprise_services
from smevoucher.enterprises.models import Size
from smevoucher.orders import services as order_services
from smevoucher.orders.models import Order
from smevoucher.providers import services as provider_services
from smevoucher.redemption import selectors as redemption_selectors
from smevoucher.redemption import services as redemption_services
from smevoucher.vouchers import services as voucher_services

KINDS = [
    "related_party",
    "shared_device",
    "reused_evidence",
    "price_outlier",
    "split_orders",
    "implausible_timing",
    "burst",
    "syndicate",
]
DEAD = (Order.Status.DECLINED, Order.Status.CANCELLED, Order.Status.RECLAIMED)
CATEGORY_BASE_FEN = {
    c: random.Random(i).choice([3_000_00, 6_000_00, 10_000_00, 20_000_00]) for i, c in enumerate(Category.values)
}
CYCLES = [("15天", 15), ("30天", 30), ("30个工作日", 42), ("2个月", 60), ("3个月", 90)]
STREETS = ["天河路", "中山大道", "体育西路", "黄埔大道", "番禺大道", "科学大道", "东风路", "人民路", "解放路", "环市路"]
DESKTOP_AGENTS = [
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
    for v in range(100, 130)
] + [f"Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko 360SE/{v}" for v in range(10, 20)]
MOBILE_AGENTS = [
    f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0"
    for v in range(4)
] + [f"Mozilla/5.0 (Linux; Android 14; V{v}) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36" for v in range(4)]
CLAIM_DAYS = (45, 105, 165, 225)  # the day of the year each city's claim windows open (10:00–16:00)
LAST_SERVICE_DAY = 345  # services are completed by mid-December, before the vouchers' validity end
WEEK = timedelta(days=7)
_PDF_TEMPLATE = None


def _pdf(serial: int) -> bytes:
    """A one-page PDF whose content differs with `serial` (its title): a fixed-width title keeps the file's offsets
    valid, so no PDF is built per upload."""
    global _PDF_TEMPLATE
    if _PDF_TEMPLATE is None:
        import io

        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Title": "SIMX0000000000"})
        out = io.BytesIO()
        writer.write(out)
        _PDF_TEMPLATE = out.getvalue()
    return _PDF_TEMPLATE.replace(b"SIMX0000000000", f"SIM-{serial:010d}".encode())


@dataclass
class Actor:
    """A person working for an organisation: the user and where they work from."""

    user: User
    ip: str
    agent: str
    city_code: str = ""
    last_seen: datetime | None = None


@dataclass
class ProviderPlan:
    index: int
    actor: Actor
    provider_id: int = 0
    legal_rep_id: str = ""
    phone: str = ""
    address: str = ""
    account: str = ""
    city: City | None = None
    level: str = ""
    cities: tuple = ()
    offers: list = field(default_factory=list)  # (revision id, tier id, price, cycle days, outlier)
    received: list = field(default_factory=list)  # orders whose payment it confirmed, not yet redeemed


@dataclass
class EnterprisePlan:
    index: int
    city: City
    batch_no: int
    signed_at: datetime
    claim_fen: int
    kind: str | None = None  # the planted case it belongs to
    provider: ProviderPlan | None = None  # the provider a case ties it to
    id_number: str = ""
    phone: str = ""
    address: str = ""
    account: str = ""
    actor: Actor | None = None
    enterprise_id: int = 0
    wallet_fen: int = 0


@dataclass
class OrderPlan:
    enterprise: EnterprisePlan
    provider: ProviderPlan
    revision_id: int
    tier_id: int
    price_fen: int
    cycle_days: int
    expected_fen: int
    kind: str | None = None
    fast: bool = False  # implausible timing
    shared_device: bool = False
    reuse_from: "OrderPlan | None" = None  # reused evidence: this order's material comes from that one
    reuse_what: str = ""
    planted: bool = False  # part of a case: none of the innocent mishaps below happen to it
    order_id: int = 0
    contract_due: datetime | None = None
    files: dict = field(default_factory=dict)  # kind → the bytes uploaded
    invoice_number: str = ""
    returned: bool = False
    rejected: bool = False
    refunded: bool = False
    received_at: datetime | None = None


class Scheme:
    """The simulated year: its people, its plans, its event queue and its clock."""

    def __init__(self, *, seed: int, enterprises: int, providers: int, fraud_share: float):
        self.rng = random.Random(seed)
        self.seed, self.n_enterprises, self.n_providers, self.fraud_share = seed, enterprises, providers, fraud_share
        self.run = "".join(self.rng.choice(CHARSET[:10] + "ABCDEFGHJK") for _ in range(4))
        self.year = clock.today().year - 1
        self.start = timezone.make_aware(datetime(self.year, 1, 2, 9))
        self.moment = self.start
        self.queue: list = []
        self.sequence = 0
        self.serial = 0
        self.counts = defaultdict(int)  # steps taken, and refusals by service
        self.orders: list[OrderPlan] = []
        self.batches: dict = {}
        self.password = f"Quvw-{self.rng.randrange(16**12):012x}-Zt"
        self.labels: dict[int, set] = defaultdict(set)

    # --- the machinery: clock, queue, actors, uploads ----------------------------------------------------------

    def now(self) -> datetime:
        return self.moment

    def at(self, moment: datetime, step, *args) -> None:
        self.sequence += 1
        heapq.heappush(self.queue, (moment, self.sequence, step, args))

    def day(self, n: float, hour: float = 10) -> datetime:
        """The moment `hour` o'clock on day n of the year (0 = 1 January)."""
        base = timezone.make_aware(datetime(self.year, 1, 1)) + timedelta(days=int(n))
        return base + timedelta(hours=hour)

    def working(self, moment: datetime) -> datetime:
        """The moment moved into office hours (9:00–18:00), as people act."""
        local = timezone.localtime(moment)
        if local.hour < 9:
            return local.replace(hour=9, minute=self.rng.randrange(60))
        if local.hour >= 18:
            return (local + timedelta(days=1)).replace(hour=9, minute=self.rng.randrange(60))
        return local

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def upload(self, actor: Actor, kind: str, content: bytes | None = None):
        content = content or _pdf(self.seed * 10**7 + self.next_serial())
        with self.acting(actor):
            return document_upload(actor=actor.user, kind=kind, files=[(f"{kind}.pdf", content)]), content

    @contextmanager
    def acting(self, actor: Actor, *, device: Actor | None = None):
        """The actor at work, from its own computer (or another's): the client address and browser set as
        RequestContextMiddleware sets them; a log-in recorded when the actor starts a new session."""
        device = device or actor
        ip, agent = device.ip, device.agent
        if self.rng.random() < 0.12:  # from a phone on the mobile network: a carrier's shared address
            ip = f"117.136.{sum(map(ord, device.city_code or 'x')) % 250}.{self.rng.randrange(1, 64)}"
            agent = self.rng.choice(MOBILE_AGENTS)
        tokens = (
            request_context.set_client_ip(ip),
            request_context.set_user_agent(agent),
            request_context.set_request_id(request_context.new_request_id()),
        )
        try:
            if actor.last_seen is None or self.moment - actor.last_seen > timedelta(hours=8):
                traces.record(actor.user, traces.LOG_IN)
            actor.last_seen = self.moment
            yield
        finally:
            request_context.reset(tokens[0])
            request_context.reset_user_agent(tokens[1])
            request_context.reset_request_id(tokens[2])

    def call(self, actor: Actor, service, *, device: Actor | None = None, **kwargs):
        """One service call by the actor; a refusal (a domain error) is counted and returns None."""
        self.counts["steps"] += 1
        # no related object cached on an earlier step (an enterprise approved since) is seen by this one
        organisation = actor.user._state.fields_cache.get("organisation")
        if organisation is not None:
            organisation._state.fields_cache.clear()
        try:
            with self.acting(actor, device=device):
                return service(actor=actor.user, **kwargs)
        except DomainError as exc:
            self.counts[f"refused {service.__name__}: {getattr(exc, 'code', '')}"] += 1
            return None

    def staff(self, organisation: Organisation, name: str) -> Actor:
        user = User.objects.create(username=f"sim{self.run}-{name}", organisation=organisation, role=User.Role.ADMIN)
        return Actor(user, f"59.41.{self.rng.randrange(250)}.{self.rng.randrange(1, 250)}", DESKTOP_AGENTS[0])

    def office(self, city_code: str) -> tuple[str, str]:
        block = {"440100": 113, "440200": 219, "440300": 119}.get(city_code, 120)
        return f"{block}.{self.rng.randrange(64, 128)}.{self.rng.randrange(250)}.{self.rng.randrange(1, 250)}", (
            self.rng.choice(DESKTOP_AGENTS)
        )

    def uscc(self, division: str) -> str:
        serial, chars = self.next_serial(), []
        for _i in range(5):
            serial, digit = divmod(serial, 31)
            chars.append(CHARSET[digit])
        first17 = f"91{division}{self.run}{''.join(reversed(chars))}"
        return first17 + check_character(first17)

    def id_number(self) -> str:
        """A well-formed resident ID: a Guangdong division, a birth date and the check character."""
        born = date(1955, 1, 1) + timedelta(days=self.rng.randrange(45 * 365))
        first17 = f"4401{self.rng.randrange(1, 20):02d}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
        return first17 + id_number_check_character(first17)

    def address(self, city: str) -> str:
        return f"广东省{city}{self.rng.choice(STREETS)}{self.rng.randrange(1, 400)}号{self.rng.randrange(100, 3000)}室"

    # --- the year ----------------------------------------------------------------------------------------------------

    def simulate(self) -> dict:
        with (
            mock.patch("django.utils.timezone.now", self.now),
            override_settings(
                INTEGRITY_SCAN_ON_EVENT=False,
                EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                AUDIT_SEAL_AFTER_COMMIT=False,
            ),
        ):
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                with connection.cursor() as cursor:  # a simulation needs no durable commit per step
                    cursor.execute("SET synchronous_commit TO off")
            self.set_up()
            while self.queue:
                moment, _seq, step, args = heapq.heappop(self.queue)
                self.moment = max(self.moment, moment)
                step(*args)
        audit.seal_pending(wait=True)
        return self.truth()

    def truth(self) -> dict:
        ids = [o.order_id for o in self.orders if o.order_id]
        live = set(Order.objects.filter(pk__in=ids).exclude(status__in=DEAD).values_list("pk", flat=True))
        labels = {str(k): sorted(v) for k, v in sorted(self.labels.items()) if k in live}
        return {
            "seed": self.seed,
            "enterprises": self.n_enterprises,
            "providers": self.n_providers,
            "fraud_share": self.fraud_share,
            "mode": "services",
            "year": self.year,
            "orders": sorted(live),
            "labels": labels,
            "steps": dict(sorted(self.counts.items())),
        }

    def set_up(self) -> None:
        self.cities = list(City.objects.order_by("code")[:3])
        self.units = {}
        for city in self.cities:
            unit = Organisation.objects.filter(kind=Organisation.Kind.CITY_UNIT, city=city).first()
            unit = unit or Organisation.objects.create(
                kind=Organisation.Kind.CITY_UNIT, city=city, name=f"{city.name}服务券市级承办单位"
            )
            self.units[city.pk] = self.staff(unit, f"unit-{city.code}")
        province = Organisation.objects.filter(kind=Organisation.Kind.PROVINCE_UNIT).first()
        province = province or Organisation.objects.create(
            kind=Organisation.Kind.PROVINCE_UNIT, name="省级承办单位", city=None
        )
        self.province = self.staff(province, "province")
        self.plan_providers()
        self.plan_enterprises()
        for index, provider in enumerate(self.providers):
            self.at(self.day(1 + index * 20 / max(1, len(self.providers)), 10), self.register_provider, provider)
        for city in self.cities:
            for number in range(len(CLAIM_DAYS)):
                self.at(self.day(CLAIM_DAYS[number] - 12, 9.5), self.create_batch, city, number)
        for plan in self.enterprises:
            self.at(plan.signed_at, self.sign_up, plan)
        for day in [*(d + 32 for d in CLAIM_DAYS), LAST_SERVICE_DAY + 10]:  # after each R8/R9 deadline, and at the end
            self.at(self.day(day, 2), self.sweep)
        for day in (150, 240, 330, LAST_SERVICE_DAY + 8):  # providers apply for redemption each quarter
            self.at(self.day(day, 15), self.redeem)

    # --- plans ----------------------------------------------------------------------------------------------------

    def plan_providers(self) -> None:
        rng = self.rng
        self.providers = []
        for i in range(max(3, self.n_providers)):
            city = self.cities[i % len(self.cities)]
            ip, agent = self.office(city.code)
            plan = ProviderPlan(index=i, actor=Actor(None, ip, agent, city.code))
            plan.legal_rep_id = self.id_number()
            plan.phone = f"13{rng.randrange(10**9):09d}"
            plan.address = self.address(f"{city.name}天河区")
            plan.account = f"6222{rng.randrange(10**14):014d}"
            plan.city = city
            # a municipal platform serves only its own city (R2); most are provincial and serve every city
            plan.level = Level.MUNICIPAL if (i % 5 == 4 and city.code == "440100") else Level.PROVINCIAL
            plan.cities = (city.pk,) if plan.level == Level.MUNICIPAL else tuple(c.pk for c in self.cities)
            self.providers.append(plan)

    def plan_enterprises(self) -> None:
        rng, n = self.rng, self.n_enterprises
        weights = [0.45, 0.35, 0.2][: len(self.cities)]
        plans = []

        def new(index, city, batch_no, signed_at=None):
            window = self.day(CLAIM_DAYS[batch_no], 10)
            if signed_at is None:
                before = rng.uniform(4, 20) if rng.random() < 0.55 else rng.uniform(4, 60)
                signed_at = self.working(window - timedelta(days=before))
            plan = EnterprisePlan(
                index=index,
                city=city,
                batch_no=batch_no,
                signed_at=signed_at,
                claim_fen=rng.choice([5_000_00, 10_000_00, 10_000_00, 15_000_00, 20_000_00]),
                id_number=self.id_number(),
                phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                address=self.address(f"{city.name}{rng.choice(['天河区', '南山区', '禅城区', '越秀区'])}"),
                account=f"6217{rng.randrange(10**14):014d}",
            )
            plans.append(plan)
            return plan

        for i in range(n):
            new(i, rng.choices(self.cities, weights)[0], rng.randrange(len(CLAIM_DAYS)))
        # the cases: about n × fraud_share enterprises, spread over the kinds, at least one case of each
        per_kind = n * self.fraud_share / len(KINDS)
        free = list(range(n))
        rng.shuffle(free)

        def take(count):
            return [plans[free.pop()] for _i in range(min(count, len(free)))]

        for kind in ("related_party", "shared_device", "reused_evidence", "price_outlier", "split_orders"):
            for plan in take(max(1, round(per_kind))):
                plan.kind = kind
        for plan in take(max(1, round(per_kind))):
            plan.kind = "implausible_timing"
        for plan in [p for p in plans if p.kind == "related_party"]:
            plan.provider = rng.choice(self.providers_serving(plan.city))
            what = rng.choice(["phone", "address", "legal_rep", "account"])
            if what == "phone":
                plan.phone = plan.provider.phone
            elif what == "address":  # the same office, written differently
                plan.address = re.sub(r"^广东省", "", plan.provider.address).replace("天河区", "天河区 ")
            elif what == "legal_rep":
                plan.id_number = plan.provider.legal_rep_id
            else:
                plan.account = plan.provider.account
        for plan in [p for p in plans if p.kind == "split_orders"]:
            plan.claim_fen = 20_000_00
        for _case in range(max(1, round(per_kind / 3.5))):  # a syndicate: 3–4 enterprises sharing a key
            members = take(rng.choice([3, 4]))
            if len(members) < 3:
                break
            what = rng.choice(["phone", "address", "id_number", "account"])
            for plan in members:
                plan.kind = "syndicate"
                setattr(plan, what, getattr(members[0], what))
        for _case in range(max(1, round(per_kind / 8))):  # a burst: shells signed up within days in one city
            members = take(rng.randint(7, 9))
            if len(members) < 6:
                break
            city = self.cities[0]
            provider = rng.choice(self.providers_serving(city))
            batch_no = rng.randrange(1, len(CLAIM_DAYS))
            moment = self.working(self.day(CLAIM_DAYS[batch_no] - rng.uniform(25, 45), 9))
            for plan in members:
                plan.kind, plan.provider, plan.city, plan.batch_no = "burst", provider, city, batch_no
                plan.signed_at = self.working(moment + timedelta(hours=rng.uniform(0, 60)))
        # innocent look-alikes: a registration agent's phone on two enterprises, offices in one building
        clean = [p for p in plans if p.kind is None]
        for a, b in zip(clean[0::40], clean[1::40], strict=False):
            b.phone = a.phone
        for a, b in zip(clean[2::25], clean[3::25], strict=False):
            b.address = re.sub(r"\d+室$", f"{self.rng.randrange(3000, 4000)}室", a.address)
        self.enterprises = plans

    def providers_serving(self, city) -> list[ProviderPlan]:
        return [p for p in self.providers if city.pk in p.cities]

    # --- providers and their products -------------------------------------------------------------------------

    def register_provider(self, plan: ProviderPlan) -> None:
        name = f"广东模拟{self.run}服务平台{plan.index}有限公司"
        directory_services.entry_create(
            actor=self.province.user,
            name=name,
            level=plan.level,
            city=plan.city if plan.level == Level.MUNICIPAL else None,
            recognition_year=self.year - 2,
            valid_until=datetime(self.year + 1, 12, 31).date(),
            source="模拟认定文件",
        )
        with self.acting(plan.actor):
            provider = provider_services.provider_register(
                name=name,
                city=plan.city,
                username=f"sim{self.run}p{plan.index}",
                password=self.password,
                licence_files=[("营业执照.pdf", _pdf(self.seed * 10**7 + self.next_serial()))],
                commitment_files=[("承诺书.pdf", _pdf(self.seed * 10**7 + self.next_serial()))],
                uscc=self.uscc("440104"),
                legal_representative=f"法人{plan.index}",
                legal_rep_id_number=plan.legal_rep_id,
                contact_name=f"联系人{plan.index}",
                contact_phone=plan.phone,
                contact_email=f"p{plan.index}.{self.run}@sim.test",
                address=plan.address,
                bank_name="模拟银行",
                bank_account_name=name,
                bank_account=plan.account,
                commitment_date=clock.today(),
            )
        plan.provider_id = provider.pk
        plan.actor.user = provider.organisation.users.get()
        reviewer = self.units[self.cities[0].pk] if plan.level == Level.MUNICIPAL else self.province
        self.at(
            self.working(self.moment + timedelta(days=self.rng.uniform(1, 4))), self.approve_provider, plan, reviewer
        )

    def approve_provider(self, plan: ProviderPlan, reviewer: Actor) -> None:
        checklist = dict.fromkeys(provider_services.CHECKLIST_KEYS, True)
        self.call(reviewer, provider_services.provider_approve, provider_id=plan.provider_id, checklist=checklist)
        products = [False, False]
        products += [True] * sum(1 for o in self.outlier_products() if o is plan)
        for n, outlier in enumerate(products):
            when = self.working(self.moment + timedelta(days=self.rng.uniform(1, 10) + n))
            self.at(when, self.publish_product, plan, outlier)

    def outlier_products(self) -> list[ProviderPlan]:
        """The providers that publish an overpriced product, one per price_outlier case (chosen once)."""
        if not hasattr(self, "_outliers"):
            cases = [p for p in self.enterprises if p.kind == "price_outlier"]
            self._outliers = []
            for plan in cases:
                provider = self.rng.choice(self.providers_serving(plan.city))
                plan.provider = provider
                self._outliers.append(provider)
        return self._outliers

    def publish_product(self, plan: ProviderPlan, outlier: bool) -> None:
        rng = self.rng
        category = rng.choice(Category.values)
        cycle_text, cycle_days = rng.choice(CYCLES)
        base = int(CATEGORY_BASE_FEN[category] * rng.lognormvariate(0, 0.3)) // 100 * 100
        tiers = not outlier and rng.random() < 0.35
        content = {
            "name": f"{'尊享' if outlier else ''}{category}服务{plan.index}-{self.next_serial()}",
            "category": category,
            "regions": list(plan.cities),
            "target_sizes": list(Size.values),
            "target_industries": [],
            "overview": "为中小企业提供专项服务。",
            "process": "需求调研—方案制定—实施—验收。",
            "duration": cycle_text,
            "deliverables": "服务报告一份。",
            "acceptance_criteria": "企业签署验收单。",
            "comparables": [
                {
                    "competitor": f"同行{k}",
                    "product_name": "同类服务",
                    "price_fen": int(base * rng.uniform(0.8, 1.3)) // 100 * 100,
                    "source": "公开报价",
                }
                for k in range(2)
            ],
            "basis_cost": "人工成本约占七成。",
            "basis_profit": "利润率约15%。",
            "basis_tax": "增值税6%。",
        }
        if tiers:
            content["pricing"] = "tiers"
            content["tiers"] = [
                {"name": name, "description": f"{name}服务内容", "price_fen": int(base * share) // 100 * 100}
                for name, share in (("基础", 0.6), ("标准", 1.0), ("高级", 1.6))
            ]
        else:
            content["pricing"] = "single"
            content["price_fen"] = base * 6 if outlier else base
        if requirements.qualification_for(category)[0]:
            content["qualification"] = [("资质.pdf", _pdf(self.seed * 10**7 + self.next_serial()))]
        actor = plan.actor
        product = self.call(actor, catalogue_services.product_create, **content)
        if product is None:
            return
        for n in range(3 if tiers else 1):
            evidence = {
                item: [(f"{item}.pdf", _pdf(self.seed * 10**7 + self.next_serial()))]
                for item, _label in requirements.evidence_for(category)
            }
            self.call(
                actor,
                catalogue_services.material_set_add,
                product_id=product.pk,
                title=f"历史客户{n + 1}",
                contract=[("合同.pdf", _pdf(self.seed * 10**7 + self.next_serial()))],
                invoice=[("发票.pdf", _pdf(self.seed * 10**7 + self.next_serial()))],
                evidence=evidence,
            )
        self.call(actor, catalogue_services.product_submit, product_id=product.pk)
        reviewer = self.units[self.cities[0].pk] if plan.level == Level.MUNICIPAL else self.province
        when = self.working(self.moment + timedelta(days=rng.uniform(1, 5)))
        self.at(when, self.approve_product, plan, reviewer, product.pk, cycle_days, outlier)

    def approve_product(self, plan, reviewer, product_id, cycle_days, outlier) -> None:
        revision = self.call(reviewer, catalogue_services.product_approve, product_id=product_id)
        if revision is None:
            return
        for tier in revision.tiers.order_by("position"):
            plan.offers.append((revision.pk, tier.pk, tier.price_fen, cycle_days, outlier))

    # --- batches, enterprises, claims ---------------------------------------------------------------------------

    def create_batch(self, city, number: int) -> None:
        unit = self.units[city.pk]
        start = self.day(CLAIM_DAYS[number], 10)
        claims = sum(p.claim_fen for p in self.enterprises if p.city.pk == city.pk and p.batch_no == number)
        batch = self.call(
            unit,
            voucher_services.batch_create,
            name=f"{self.year}年第{number + 1}批服务券（模拟{self.run}）",
            total_fen=max(100_000_00, claims * 3),  # issued generously: the 10 % cap leaves room for every provider
            claim_start=start,
            claim_end=start + timedelta(hours=6),
            service_start=start.date(),
            service_end=self.day(LAST_SERVICE_DAY + 10).date(),
            validity_end=self.day(LAST_SERVICE_DAY + 15).date(),
        )
        self.batches[(city.pk, number)] = batch
        self.call_later(self.moment + timedelta(days=5), unit, voucher_services.batch_open, batch_id=batch.pk)
        self.at(start + timedelta(hours=6, minutes=5), self.allocate, city, number)

    def call_later(self, moment, actor, service, **kwargs):
        self.at(moment, lambda: self.call(actor, service, **kwargs))

    def sign_up(self, plan: EnterprisePlan) -> None:
        ip, agent = self.office(plan.city.code)
        plan.actor = Actor(None, ip, agent, plan.city.code)
        with self.acting(plan.actor):
            enterprise = enterprise_services.enterprise_sign_up(
                name=f"模拟企业{self.run}-{plan.index}有限公司",
                uscc=self.uscc(plan.city.code),
                city=plan.city,
                size=self.rng.choice(Size.values),
                industry=self.rng.choice(["C", "F", "I", "L", "M"]),
                legal_representative=f"企业法人{plan.index}",
                legal_rep_id_number=plan.id_number,
                registered_address=plan.address,
                contact_name=f"联系人{plan.index}",
                contact_phone=plan.phone,
                contact_email=f"e{plan.index}.{self.run}@sim.test",
                username=f"sim{self.run}e{plan.index}",
                password=self.password,
                licence_files=[("营业执照.pdf", _pdf(self.seed * 10**7 + self.next_serial()))],
            )
        plan.enterprise_id = enterprise.pk
        plan.actor.user = enterprise.organisation.users.get()
        when = self.working(self.moment + timedelta(days=self.rng.uniform(0.2, 3)))
        self.call_later(
            when, self.units[plan.city.pk], enterprise_services.enterprise_approve, enterprise_id=enterprise.pk
        )
        window = self.day(CLAIM_DAYS[plan.batch_no], 10) + timedelta(minutes=self.rng.uniform(0, 350))
        self.at(window, self.claim, plan)

    def claim(self, plan: EnterprisePlan) -> None:
        batch = self.batches[(plan.city.pk, plan.batch_no)]
        self.call(plan.actor, voucher_services.claim_submit, batch_id=batch.pk, amount_fen=plan.claim_fen)

    def allocate(self, city, number: int) -> None:
        batch = self.batches[(city.pk, number)]
        self.call(self.units[city.pk], voucher_services.batch_allocate, batch_id=batch.pk)
        from smevoucher.vouchers.models import Claim

        granted = dict(Claim.objects.filter(batch_id=batch.pk).values_list("enterprise_id", "allocated_fen"))
        for plan in self.enterprises:
            if plan.city.pk == city.pk and plan.batch_no == number and granted.get(plan.enterprise_id):
                plan.wallet_fen = granted[plan.enterprise_id]
                self.plan_orders(plan, batch)

    # --- orders -------------------------------------------------------------------------------------------------

    def plan_orders(self, plan: EnterprisePlan, batch) -> None:
        rng = self.rng
        first = self.working(self.moment + timedelta(days=rng.uniform(1, 14)))
        kind = plan.kind
        clean_offers = [(p, o) for p in self.providers_serving(plan.city) for o in p.offers if not o[4] and p.offers]
        if not clean_offers:
            return
        orders = []

        def order(provider, offer, share, **extra):
            revision_id, tier_id, price, cycle, _outlier = offer
            limit = price * batch.coverage_limit_bp // 10000
            expected = min(limit, int(price * share), plan.wallet_fen) // 100 * 100
            if expected < 300_00:
                return None
            plan.wallet_fen -= expected
            o = OrderPlan(plan, provider, revision_id, tier_id, price, cycle, expected, **extra)
            orders.append(o)
            return o

        if kind in ("related_party", "burst"):
            own = {}  # one tier of each of the provider's products
            for provider, offer in clean_offers:
                if provider is plan.provider:
                    own.setdefault(offer[0], (provider, offer))
            own = list(own.values()) or [rng.choice(clean_offers)]
            for provider, offer in rng.sample(own, min(len(own), rng.randint(1, 2))):
                order(provider, offer, rng.uniform(0.35, 0.5), kind=kind)
        elif kind == "split_orders":  # one service in three contracts, each with the most vouchers allowed
            affordable = [(p, o) for p, o in clean_offers if o[2] * 3 // 2 <= plan.wallet_fen] or clean_offers
            provider, offer = min(affordable, key=lambda po: abs(po[1][2] - plan.wallet_fen // 2))
            for _n in range(3):
                order(provider, offer, 0.5, kind=kind)
        elif kind == "price_outlier":
            provider = plan.provider
            offers = [o for o in provider.offers if o[4]] if provider else []
            if offers:
                order(provider, rng.choice(offers), 0.5, kind=kind)
        else:
            count = 2 if kind == "reused_evidence" else rng.choice([1, 1, 2, 2, 3])
            by_product = {}  # one tier of each product: two tiers of one service within days would be a split
            for provider, offer in rng.sample(clean_offers, len(clean_offers)):
                by_product.setdefault(offer[0], (provider, offer))
            chosen = list(by_product.values())[:count]
            if kind is None and rng.random() < 0.02:  # an honest repeat purchase, small amounts
                chosen = [chosen[0], chosen[0]]
                shares = [0.2, 0.2]
            else:
                shares = [rng.uniform(0.2, 0.5) for _c in chosen]
            for n, ((provider, offer), share) in enumerate(zip(chosen, shares, strict=True)):
                o = order(provider, offer, share)
                if o is None:
                    continue
                if kind == "syndicate":
                    o.kind = kind
                elif n == 0 and kind == "implausible_timing":
                    o.kind, o.fast = kind, True
                elif n == 0 and kind == "shared_device":
                    o.kind, o.shared_device = kind, True
            if kind == "reused_evidence" and len(orders) == 2:  # labelled when the material is reused
                orders[1].reuse_from = orders[0]
                orders[1].reuse_what = rng.choice(["invoice", "transfer_proof", "invoice_number", "contract"])
        for o in orders:
            o.planted = kind is not None
        for n, o in enumerate(orders):
            gap = rng.uniform(0.5, 4) if kind == "split_orders" else rng.uniform(0, 8)
            when = self.working(first + timedelta(days=gap * n))
            self.at(when, self.place, o)
            self.orders.append(o)

    def mark(self, o: OrderPlan) -> None:
        if o.kind:
            self.labels[o.order_id].add(o.kind)

    def reused(self, o: OrderPlan) -> None:
        self.labels[o.order_id].add("reused_evidence")
        self.labels[o.reuse_from.order_id].add("reused_evidence")

    def source_material(self, o: OrderPlan, what: str):
        """For a planted reuse: the first order's material, once it exists (else None)."""
        if o.reuse_from is None or o.reuse_what != what:
            return None
        if what == "invoice_number":
            return o.reuse_from.invoice_number or None
        return o.reuse_from.files.get(what)

    def wait_for_source(self, o: OrderPlan, what: str) -> bool:
        """A reuse waits (a day at a time) until the first order has the material, while there is time."""
        if o.reuse_from is None or o.reuse_what != what or self.source_material(o, what) is not None:
            return False
        source_alive = (
            o.reuse_from.order_id and not Order.objects.filter(pk=o.reuse_from.order_id, status__in=DEAD).exists()
        )
        limit = o.contract_due - timedelta(days=2) if what == "contract" else self.day(LAST_SERVICE_DAY + 5)
        return bool(source_alive) and self.moment + timedelta(days=1) < limit

    def place(self, o: OrderPlan) -> None:
        e = o.enterprise
        batch = self.batches[(e.city.pk, e.batch_no)]
        order = self.call(
            e.actor,
            order_services.order_place,
            revision_id=o.revision_id,
            tier_id=o.tier_id,
            batch_id=batch.pk,
            expected_voucher_fen=o.expected_fen,
        )
        if order is None:
            return
        o.order_id, o.contract_due = order.pk, order.contract_due
        self.mark(o)
        rng = self.rng
        if not o.planted and rng.random() < 0.02:  # the enterprise changes its mind
            self.at(self.moment + timedelta(hours=rng.uniform(1, 20)), self.step, o, "cancel")
            return
        delay = timedelta(hours=rng.uniform(0.2, 2)) if o.fast else timedelta(hours=rng.uniform(1, 48))
        self.at(self.moment + delay if o.fast else self.working(self.moment + delay), self.step, o, "confirm")

    def provider_device(self, o: OrderPlan) -> Actor | None:
        """Where the provider's side acts from: its own office, or for a planted case the enterprise's computer."""
        return o.enterprise.actor if o.shared_device else None

    def later(self, o: OrderPlan, low_hours: float, high_hours: float) -> datetime:
        when = self.moment + timedelta(hours=self.rng.uniform(low_hours, high_hours))
        return when if o.fast else self.working(when)

    def step(self, o: OrderPlan, what: str) -> None:
        """One step of an order's life; each schedules the next."""
        rng, e, p = self.rng, o.enterprise.actor, o.provider.actor
        oid = o.order_id
        if what == "cancel":
            self.call(e, order_services.order_cancel, order_id=oid)
        elif what == "confirm":
            if not o.planted and rng.random() < 0.03:
                self.call(p, order_services.order_decline, order_id=oid, reason="档期已满，无法安排服务。")
                return
            if self.call(p, order_services.order_confirm, order_id=oid, device=self.provider_device(o)) is None:
                self.call(p, order_services.order_decline, order_id=oid, reason="本市服务券额度已用满。")
                return
            when = self.later(o, 0.5, 1.5) if o.fast else self.later(o, 24, 8 * 24)
            self.at(self.deadline_bound(o, when), self.step, o, "contract")
        elif what == "contract":
            if self.wait_for_source(o, "contract"):
                self.at(self.moment + timedelta(days=1), self.step, o, "contract")
                return
            content = self.source_material(o, "contract")
            document, o.files["contract"] = self.upload(o.enterprise.actor, "contract", content)
            if self.call(e, order_services.contract_upload, order_id=oid, document_id=document.pk) is None:
                return
            if content is not None:
                self.reused(o)
            returned = not o.planted and rng.random() < 0.05 and not o.returned
            when = self.later(o, 0.2, 1) if o.fast else self.later(o, 4, 72)
            self.at(when, self.step, o, "return" if returned else "accept")
        elif what == "return":
            o.returned = True
            self.call(p, order_services.contract_return, order_id=oid, reason="合同缺少盖章页，请补充。")
            self.at(self.deadline_bound(o, self.later(o, 24, 72)), self.step, o, "contract")
        elif what == "accept":
            if self.call(p, order_services.contract_confirm, order_id=oid) is None:
                return
            if o.fast:
                done = self.moment + timedelta(hours=rng.uniform(2, 30))
            else:
                placed = Order.objects.filter(pk=oid).values_list("placed_at", flat=True).first()
                took = timedelta(days=o.cycle_days * rng.uniform(0.6, 1.3))
                done = self.working(max(placed + took, self.moment + timedelta(days=1)))
            done = min(done, self.day(LAST_SERVICE_DAY, 16))
            self.at(max(done, self.moment + timedelta(hours=1)), self.step, o, "complete")
        elif what == "complete":
            day, device = clock.today(), self.provider_device(o)
            if self.call(p, order_services.order_complete, order_id=oid, completed_on=day, device=device) is None:
                return
            self.at(self.later(o, 1, 6) if o.fast else self.later(o, 24, 10 * 24), self.step, o, "pay")
        elif what == "pay":
            self.pay(o)
        elif what == "receive":
            if not o.planted and rng.random() < 0.03 and not o.rejected:
                o.rejected = True
                self.call(p, order_services.payment_reject, order_id=oid, reason="转账凭证不清晰，请重新上传。")
                self.at(self.later(o, 24, 72), self.step, o, "pay")
                return
            if self.call(p, order_services.payment_confirm, order_id=oid, device=self.provider_device(o)) is None:
                return
            o.received_at = self.moment
            o.provider.received.append(o)
            if not o.planted and rng.random() < 0.02:
                o.refunded = True
                self.at(self.later(o, 3 * 24, 15 * 24), self.step, o, "refund")
        elif what == "refund":
            refund = self.call(
                p, order_services.refund_request, order_id=oid, reason="服务未按约定完成，双方协商退回。"
            )
            if refund is not None:
                unit = self.units[o.enterprise.city.pk]
                self.call_later(self.later(o, 24, 5 * 24), unit, order_services.refund_approve, refund_id=refund.pk)

    def deadline_bound(self, o: OrderPlan, when: datetime) -> datetime:
        """The enterprise keeps the contract deadline (R9) in view."""
        latest = o.contract_due - timedelta(hours=self.rng.uniform(2, 30))
        return max(self.moment + timedelta(minutes=5), min(when, latest))

    def pay(self, o: OrderPlan) -> None:
        e, rng = o.enterprise, self.rng
        if self.wait_for_source(o, o.reuse_what):
            self.at(self.moment + timedelta(days=1), self.step, o, "pay")
            return
        invoice_bytes = self.source_material(o, "invoice")
        proof_bytes = self.source_material(o, "transfer_proof")
        reused_number = self.source_material(o, "invoice_number")
        invoice, o.files["invoice"] = self.upload(e.actor, "invoice", invoice_bytes)
        proof, o.files["transfer_proof"] = self.upload(e.actor, "transfer_proof", proof_bytes)
        materials = {
            name: self.upload(e.actor, "city_extra")[0].pk for name in order_services.required_materials(e.city.pk)
        }
        number = reused_number or f"44{self.year % 100}{rng.randrange(10**8):08d}"
        voucher = o.expected_fen if rng.random() < 0.9 else o.expected_fen * 9 // 10 // 100 * 100
        payment = self.call(
            e.actor,
            order_services.payment_submit,
            order_id=o.order_id,
            invoice_number=number,
            invoice_date=clock.today(),
            invoice_fen=o.price_fen,
            own_share_fen=o.price_fen - voucher,
            voucher_fen=voucher,
            invoice_id=invoice.pk,
            transfer_proof_id=proof.pk,
            materials=materials,
            payer_account=e.account,
        )
        if payment is None:
            return
        o.invoice_number = number
        if invoice_bytes or proof_bytes or reused_number:
            self.reused(o)
        self.at(self.later(o, 0.5, 4) if o.fast else self.later(o, 12, 5 * 24), self.step, o, "receive")

    # --- the system's and the units' routines ---------------------------------------------------------------

    def sweep(self) -> None:
        """The beat job: every deadline that has passed (R8, R9, R10) and the backfill."""
        self.counts["sweeps"] += 1
        voucher_services.reclaim_sweep()

    def redeem(self) -> None:
        """Month end: each provider bundles its confirmed payments per issuing city into an application (those
        received at least 20 days ago: a refund is asked within weeks of receipt)."""
        from smevoucher.providers.models import Provider

        cutoff = self.moment - timedelta(days=20)
        for plan in self.providers:
            due = [o for o in plan.received if o.received_at < cutoff and not o.refunded]
            if not due:
                continue
            plan.received = [o for o in plan.received if o not in due]
            provider = Provider.objects.get(pk=plan.provider_id)
            by_city = defaultdict(list)
            for o in due:
                by_city[o.enterprise.city].append(o.order_id)
            for city, order_ids in by_city.items():
                payments = list(
                    redemption_selectors.redeemable_payments(provider=provider, city_id=city.pk)
                    .filter(order_id__in=order_ids)
                    .values_list("pk", flat=True)
                )
                if not payments:
                    continue
                application = self.call(
                    plan.actor, redemption_services.application_create, city_id=city.pk, payment_ids=payments
                )
                if application is None:
                    continue
                form, _c = self.upload(plan.actor, "application_form")
                table, _c = self.upload(plan.actor, "summary_table")
                materials = {
                    name: self.upload(plan.actor, "city_extra")[0].pk
                    for name in redemption_selectors.required_materials(city.pk)
                }
                self.call(
                    plan.actor,
                    redemption_services.application_attach,
                    application_id=application.pk,
                    application_form_id=form.pk,
                    summary_table_id=table.pk,
                    materials=materials,
                )
                if self.call(plan.actor, redemption_services.application_submit, application_id=application.pk):
                    when = self.working(self.moment + timedelta(days=self.rng.uniform(3, 10)))
                    unit = self.units[city.pk]
                    self.call_later(when, unit, redemption_services.application_approve, application_id=application.pk)


def simulate(*, seed: int, enterprises: int, providers: int, fraud_share: float, bulk: bool = False) -> dict:
    """A seeded year with planted cases; returns the ground truth (see the module's docstring). `bulk` is the fast
    mode for timing the scan at scale only (simulation_bulk.py)."""
    if bulk:
        from .simulation_bulk import simulate_bulk

        return simulate_bulk(seed=seed, enterprises=enterprises, providers=providers, fraud_share=fraud_share)
    return Scheme(seed=seed, enterprises=enterprises, providers=providers, fraud_share=fraud_share).simulate()
