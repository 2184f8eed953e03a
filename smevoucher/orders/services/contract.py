"""The contract and the completed service (DESIGN §2 steps 5–6; R9): upload, confirm, return, complete."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from smevoucher.core import clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.documents.models import Kind
from smevoucher.documents.services import document_share, document_use

from ..errors import ContractDeadlinePassed
from ..models import Order
from ._common import (
    ENTERPRISE,
    PROVIDER,
    S,
    _lock,
    _move,
    _not_expired,
    _own_document,
    _reason,
    _require,
    _tell_enterprise,
    _tell_provider,
)


@transaction.atomic
def contract_upload(*, actor, order_id: int, document_id: int) -> Order:
    """The enterprise uploads the service contract before the R9 deadline; it is shared with the provider."""
    order = _lock(actor, order_id, ENTERPRISE)
    if order.status == S.CONTRACT_UPLOADED and order.contract_id == document_id:
        return order
    _require(order, S.CONTRACT_UPLOADED)
    if clock.now() > order.contract_due:
        raise ContractDeadlinePassed()  # R9
    document = _own_document(actor, document_id, Kind.CONTRACT, "contract")
    document_share(document=document, organisations=[order.provider.organisation])
    document_use(document=document, obj=order, role="contract")
    order.contract = document
    order.contract_uploaded_at = clock.now()
    order.contract_return_reason = ""
    _move(
        order,
        S.CONTRACT_UPLOADED,
        actor,
        "order.contract_uploaded",
        fields=["contract", "contract_uploaded_at", "contract_return_reason"],
        after={"document": document.pk},
    )
    _tell_provider(
        order,
        "order.contract_uploaded",
        _("Order %(number)s: the contract is uploaded for your check") % {"number": order.number},
    )
    return order


@transaction.atomic
def contract_confirm(*, actor, order_id: int) -> Order:
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.CONTRACT_CONFIRMED:
        return order
    order.contract_confirmed_at = clock.now()
    _move(order, S.CONTRACT_CONFIRMED, actor, "order.contract_confirmed", fields=["contract_confirmed_at"])
    _tell_enterprise(
        order,
        "order.contract_confirmed",
        _("Order %(number)s: the provider confirmed the contract") % {"number": order.number},
    )
    return order


@transaction.atomic
def contract_return(*, actor, order_id: int, reason: str) -> Order:
    """The provider returns the contract with a reason; the enterprise uploads a corrected one (R9 still runs)."""
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.CONTRACT_RETURNED:
        return order
    order.contract_return_reason = _reason(reason)
    _move(
        order,
        S.CONTRACT_RETURNED,
        actor,
        "order.contract_returned",
        fields=["contract_return_reason"],
        reason=order.contract_return_reason,
    )
    _tell_enterprise(
        order,
        "order.contract_returned",
        _("Order %(number)s: the contract was returned") % {"number": order.number},
        order.contract_return_reason,
    )
    return order


@transaction.atomic
def order_complete(*, actor, order_id: int, completed_on: date) -> Order:
    """The provider marks the service completed; R11: the day must fall in the batch's qualifying period."""
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.COMPLETED:
        return order
    _require(order, S.COMPLETED)
    _not_expired(order)
    batch = order.batch
    if not isinstance(completed_on, date) or completed_on > clock.today():
        raise ValidationFailed(
            fields={"completed_on": [_("Enter the day the service was completed (not later than today).")]}
        )
    if not batch.service_start <= completed_on <= batch.service_end:
        raise ValidationFailed(
            fields={
                "completed_on": [
                    _("Only a service completed between %(start)s and %(end)s can be paid with these vouchers.")
                    % {"start": batch.service_start, "end": batch.service_end}
                ]
            },
            code="outside_service_period",
        )
    order.completed_on = completed_on
    order.completed_at = clock.now()
    _move(
        order,
        S.COMPLETED,
        actor,
        "order.completed",
        fields=["completed_on", "completed_at"],
        after={"completed_on": completed_on.isoformat()},
    )
    _tell_enterprise(
        order,
        "order.completed",
        _("Order %(number)s: the service is completed; pay with your vouchers") % {"number": order.number},
    )
    return order
