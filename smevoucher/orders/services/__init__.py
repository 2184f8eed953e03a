"""Order transitions (DESIGN §2 steps 3–8; R0, R2, R7–R12). One named function per transition: it re-reads the
order under a lock, checks the actor, the state table, the rules and the deadlines, moves the vouchers in the
same transaction, records the audit event and notifies the other side. A repeated request that finds the work
done returns quietly (a double click is not an error).

Lock order everywhere: order → refund request → the provider's cap row → its receipt total → ledger accounts
(batch and claim only inside the vouchers' reclaim), so no two paths deadlock.

One module per stage (CONVENTIONS §2), as in `vouchers.services`.
"""

from .contract import contract_confirm, contract_return, contract_upload, order_complete
from .deadlines import order_deadline_sweep, order_reclaim
from .materials import city_material_describe, city_materials_set, required_materials
from .ordering import (
    order_cancel,
    order_confirm,
    order_decline,
    order_place,
    provider_lapsed,
    tell_provider_suspended,
    voucher_maximum_fen,
)
from .payment import payment_confirm, payment_reject, payment_submit
from .receipts import receipt_totals_rebuild
from .refund import refund_approval_blocker, refund_approve, refund_refuse, refund_request

__all__ = [
    "city_material_describe",
    "city_materials_set",
    "contract_confirm",
    "contract_return",
    "contract_upload",
    "order_cancel",
    "order_complete",
    "order_confirm",
    "order_deadline_sweep",
    "order_decline",
    "order_place",
    "order_reclaim",
    "payment_confirm",
    "payment_reject",
    "payment_submit",
    "provider_lapsed",
    "receipt_totals_rebuild",
    "refund_approval_blocker",
    "refund_approve",
    "refund_refuse",
    "refund_request",
    "required_materials",
    "tell_provider_suspended",
    "voucher_maximum_fen",
]
