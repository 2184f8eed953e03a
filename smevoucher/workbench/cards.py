"""The workbench's to-do cards per role (issue 13): a count, the nearest deadline and the filtered list it links to.

Each card is a filter (a `Q` from the owning app's selectors) over the same "visible to this user" selector that the
list page uses with the same query parameters, so a card's count is the number of rows its link shows. The
navigation's badges read the same cards, computed once per request.

Issue 16: the counts are bounded. Every page's menu shows the badges, and an exact count of a provider's open orders
read some hundred thousand rows at a province's volume (a third of a second on every page). A to-do count needs to be
exact while it is small enough to work through; beyond that "99+" is what people know from their phones and
mail, and the linked list (itself bounded, "more than N") is where the work is done. So each card counts at most
COUNT_LIMIT rows (a COUNT over a LIMITed subquery: PostgreSQL stops at the limit) and its nearest deadline is the
first row in deadline order (an index finds it); the cards over one selector are still one query (one
subquery pair per card), so a page costs a constant handful of queries, each bounded work, whatever the volume.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import F, IntegerField, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import User
from smevoucher.catalogue import selectors as catalogue
from smevoucher.core import access, clock
from smevoucher.core.lists import BADGE_LIMIT
from smevoucher.enterprises import selectors as enterprises
from smevoucher.enterprises.models import Enterprise, EnterpriseChangeRequest
from smevoucher.orders import selectors as orders
from smevoucher.orders.models import Order, RefundRequest
from smevoucher.providers import selectors as providers
from smevoucher.providers.models import ChangeRequest, LetterRenewal, Provider
from smevoucher.redemption import selectors as redemption
from smevoucher.redemption.models import Application
from smevoucher.vouchers import selectors as vouchers

S = Order.Status


@dataclass(frozen=True)
class Spec:
    code: str
    label: str
    hint: str
    where: Callable[[object], Q]  # (user) -> the card's filter over its source
    due: str | None  # the field whose smallest value is the nearest deadline
    url_name: str
    params: tuple = ()  # the list's query parameters that apply the same filter
    perm: str | None = None  # the list's permission; without it the card has no link


# A card counts at most this many rows; COUNT_LIMIT means "COUNT_LIMIT or more", shown as "99+".
COUNT_LIMIT = BADGE_LIMIT


@dataclass
class Card:
    code: str
    label: str
    hint: str
    count: int  # exact below COUNT_LIMIT; COUNT_LIMIT means that many or more
    due: datetime | None
    url: str | None
    more: bool = False  # the count reached COUNT_LIMIT: there may be more rows than counted

    @property
    def shown(self) -> str:
        """The count as the card shows it: "99+" when there may be more rows than counted."""
        return f"{self.count - 1}+" if self.more else str(self.count)


class BoundedCount(Subquery):
    """(SELECT COUNT(*) FROM (the sliced queryset)): the rows of a subquery that has a LIMIT, so at most that many."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS bounded)"
    output_field = IntegerField()


def _all(user) -> Q:
    return Q()


def _enterprise_id(user) -> int | None:
    enterprise = getattr(user.organisation, "enterprise", None)
    return enterprise.pk if enterprise else None


def _statuses(*statuses):
    return lambda user: Q(status__in=statuses)


# (source: the list's selector, cards over it) per organisation kind, in the order the workbench shows them.
ENTERPRISE_CARDS = [
    (
        vouchers.batches_visible_to,
        [
            Spec(
                "claim_open",
                _("Batches open for claims"),
                _("Claim vouchers before the window closes."),
                lambda user: vouchers.claimable_q(_enterprise_id(user)),
                "claim_end",
                "vouchers:batch_list",
                (("claimable", "1"),),
            )
        ],
    ),
    (
        lambda user: vouchers.claims_of(enterprises.enterprise_of(user)),
        [
            Spec(
                "order_due",
                _("Vouchers to use in an order"),
                _("Order a service before the order deadline, or the vouchers are reclaimed."),
                lambda user: vouchers.usable_wallet_q(),
                "order_deadline",
                "vouchers:wallet",
                (("usable", "1"),),
            )
        ],
    ),
    (
        orders.orders_visible_to,
        [
            Spec(
                "contract_due",
                _("Contracts to upload"),
                _("Upload the service contract before the deadline, or the order is cancelled."),
                _statuses(S.CONFIRMED, S.CONTRACT_RETURNED),
                "contract_due",
                "orders:list",
                (("status", S.CONFIRMED), ("status", S.CONTRACT_RETURNED)),
            ),
            Spec(
                "payment_due",
                _("Services to pay with vouchers"),
                _("Submit the invoice and transfer proof before the vouchers expire."),
                _statuses(S.COMPLETED),
                "batch__validity_end",
                "orders:list",
                (("status", S.COMPLETED),),
            ),
            Spec(
                "payment_rejected",
                _("Payments rejected by the provider"),
                _("Correct the payment and submit it again before the vouchers expire."),
                _statuses(S.PAYMENT_REJECTED),
                "batch__validity_end",
                "orders:list",
                (("status", S.PAYMENT_REJECTED),),
            ),
            Spec(
                "refund_pending",
                _("Refunds under review"),
                _("A provider asked the city unit to return a payment; nothing to do unless the unit asks."),
                lambda user: orders.refund_waiting_q(),
                None,
                "orders:list",
                (("refund", "requested"),),
            ),
        ],
    ),
]

PROVIDER_CARDS = [
    (
        providers.providers_visible_to,
        [
            Spec(
                "letter_to_renew",
                _("Commitment letter to renew"),
                _(
                    "From 1 January a commitment letter dated in the new year is needed before you can confirm "
                    "orders or payments."
                ),
                lambda user: providers.letter_to_renew_q(clock.today()),
                None,
                "providers:letter",
            )
        ],
    ),
    (
        orders.orders_visible_to,
        [
            Spec(
                "order_to_confirm",
                _("Orders to confirm"),
                _("Confirm or decline new orders; the enterprise's contract deadline runs meanwhile."),
                _statuses(S.PLACED),
                "contract_due",
                "orders:list",
                (("status", S.PLACED),),
            ),
            Spec(
                "contract_to_confirm",
                _("Contracts to check"),
                _("Confirm the uploaded contract or return it with reasons."),
                _statuses(S.CONTRACT_UPLOADED),
                None,
                "orders:list",
                (("status", S.CONTRACT_UPLOADED),),
            ),
            Spec(
                "payment_to_confirm",
                _("Payments to confirm"),
                _("Check the invoice and transfer proof, then confirm receipt of the vouchers or reject."),
                _statuses(S.PAYMENT_SUBMITTED),
                None,
                "orders:list",
                (("status", S.PAYMENT_SUBMITTED),),
            ),
            Spec(
                "vouchers_expiring",
                _("Orders whose vouchers expire soon"),
                _("Complete the service and have it paid before the vouchers' validity ends."),
                lambda user: orders.expiring_q(),
                "batch__validity_end",
                "orders:list",
                (("expiring", "1"),),
            ),
        ],
    ),
    (
        redemption.applications_visible_to,
        [
            Spec(
                "redemption_draft",
                _("Redemption applications being prepared"),
                _("Upload the stamped forms and submit the application."),
                _statuses(Application.Status.DRAFT),
                None,
                "redemption:list",
                (("status", Application.Status.DRAFT),),
            ),
            Spec(
                "redemption_returned",
                _("Redemption applications rejected"),
                _("Correct the application as the city unit asks and submit it again."),
                _statuses(Application.Status.REJECTED),
                None,
                "redemption:list",
                (("status", Application.Status.REJECTED),),
            ),
        ],
    ),
]

UNIT_CARDS = [
    (
        enterprises.enterprises_visible_to,
        [
            Spec(
                "enterprise_review",
                _("Enterprise registrations to review"),
                _("Approve each enterprise's registration or return it with reasons."),
                _statuses(Enterprise.Status.PENDING),
                None,
                "enterprises:unit_list",
                (("status", Enterprise.Status.PENDING),),
            )
        ],
    ),
    (
        providers.review_queue_for,
        [
            Spec(
                "provider_review",
                _("Provider registrations to review"),
                _("Check the licence and commitment letter, then approve or return."),
                _statuses(Provider.Status.SUBMITTED),
                None,
                "providers:unit_list",
                (("status", Provider.Status.SUBMITTED), ("queue", "1")),
            )
        ],
    ),
    (
        providers.letter_renewal_queue_for,
        [
            Spec(
                "letter_review",
                _("Commitment letters to review"),
                _("Check each provider's commitment letter for the new year, then approve or return it."),
                _statuses(LetterRenewal.Status.SUBMITTED),
                None,
                "providers:unit_list",
                (("status", Provider.Status.APPROVED), ("queue", "1"), ("letter", "1")),
            )
        ],
    ),
    (
        providers.change_request_queue_for,
        [
            Spec(
                "change_review",
                _("Change requests to decide"),
                _("Apply or refuse providers' changes of name, user name or contact."),
                _statuses(ChangeRequest.Status.PENDING),
                None,
                "providers:change_request_list",
                (("status", ChangeRequest.Status.PENDING),),
            )
        ],
    ),
    (
        enterprises.change_request_queue_for,
        [
            Spec(
                "enterprise_change_review",
                _("Enterprise change requests to decide"),
                _("Apply or refuse enterprises' changes of legal representative, address or contact."),
                _statuses(EnterpriseChangeRequest.Status.PENDING),
                None,
                "enterprises:change_request_list",
                (("status", EnterpriseChangeRequest.Status.PENDING),),
                perm="enterprises.decide_change_requests",
            )
        ],
    ),
    (
        catalogue.review_queue_for,
        [
            Spec(
                "product_review",
                _("Service products to review"),
                _("Approve product revisions for the catalogue or return them."),
                _all,
                None,
                "catalogue:review_queue",
            )
        ],
    ),
    (
        orders.refund_queue_for,
        [
            Spec(
                "refund_review",
                _("Refund requests to decide"),
                _("Approve or refuse providers' requests to return a payment."),
                _statuses(RefundRequest.Status.REQUESTED),
                None,
                "orders:refund_list",
                (("status", RefundRequest.Status.REQUESTED),),
                perm="orders.decide_refunds",
            )
        ],
    ),
    (
        redemption.review_queue_for,
        [
            Spec(
                "redemption_review",
                _("Redemption applications to review"),
                _("Approve or reject providers' redemption applications."),
                _statuses(Application.Status.SUBMITTED),
                None,
                "redemption:list",
                (("status", Application.Status.SUBMITTED),),
                perm="redemption.list_applications",
            ),
            Spec(
                "results_to_publish",
                _("Redemption results to publish"),
                _("Publish the decided applications on the notice board."),
                lambda user: redemption.unpublished_results_q(),
                None,
                "redemption:list",
                (("unpublished", "1"),),
                perm="redemption.list_applications",
            ),
        ],
    ),
    (
        vouchers.batches_visible_to,
        [
            Spec(
                "batch_to_allocate",
                _("Batches to allocate"),
                _("The claim window has closed: allocate the batch."),
                lambda user: vouchers.to_allocate_q(),
                "claim_end",
                "vouchers:batch_list",
                (("to_allocate", "1"),),
            )
        ],
    ),
]

BY_KIND = {
    access.ENTERPRISE: ENTERPRISE_CARDS,
    access.PROVIDER: PROVIDER_CARDS,
    access.CITY_UNIT: UNIT_CARDS,
    access.PROVINCE_UNIT: UNIT_CARDS,
}

# The stable codes per organisation kind (the API's contract; the README points here).
CODES = {kind: [spec.code for _source, specs in groups for spec in specs] for kind, groups in BY_KIND.items()}


def list_url(spec: Spec) -> str:
    url = reverse(spec.url_name)
    return f"{url}?{urlencode(spec.params)}" if spec.params else url


def _as_moment(value) -> datetime | None:
    if isinstance(value, datetime):
        return timezone.localtime(value)
    if isinstance(value, date):  # a last valid day: its last second, local time (R14)
        return clock.end_of_day(value)
    return None


def _card_subqueries(source: QuerySet, specs: list[Spec], user) -> dict:
    """The subqueries for the cards over one source: per card a count of at most COUNT_LIMIT rows and, where the
    card has a deadline, the nearest one (the first row in deadline order, as MIN would give)."""
    if source.query.is_empty():  # a selector's .none() for this role: nothing to count
        return {}
    values = {}
    for spec in specs:
        rows = source.filter(spec.where(user)).order_by()
        values[f"n_{spec.code}"] = BoundedCount(rows.values("pk")[:COUNT_LIMIT])
        if spec.due:
            values[f"due_{spec.code}"] = Subquery(
                rows.exclude(**{f"{spec.due}__isnull": True}).order_by(F(spec.due).asc()).values(spec.due)[:1]
            )
    return values


def cards_for(user) -> list[Card]:
    """The user's to-do cards, in order; an empty list for a user without an organisation. One query for all of
    them: the subqueries hang on the user's own row, so it returns exactly one row (every page's navigation asks)."""
    groups = BY_KIND.get(access.organisation_kind(user), [])
    subqueries = {}
    for source, specs in groups:
        subqueries.update(_card_subqueries(source(user), specs, user))
    values = User.objects.filter(pk=user.pk).annotate(**subqueries).values(*subqueries).get() if subqueries else {}
    cards = []
    for _source, specs in groups:
        for spec in specs:
            allowed = spec.perm is None or user.has_perm(spec.perm)
            cards.append(
                Card(
                    code=spec.code,
                    label=spec.label,
                    hint=spec.hint,
                    count=values.get(f"n_{spec.code}") or 0,
                    more=(values.get(f"n_{spec.code}") or 0) >= COUNT_LIMIT,
                    due=_as_moment(values.get(f"due_{spec.code}")),
                    url=list_url(spec) if allowed else None,
                )
            )
    return cards


def cards_for_request(request) -> list[Card]:
    """The cards once per request: the workbench page and the navigation's badges share them."""
    if not hasattr(request, "_workbench_cards"):
        request._workbench_cards = cards_for(request.user)
    return request._workbench_cards


def badge_counts(request) -> dict[str, int]:
    return {card.code: card.count for card in cards_for_request(request)}
