"""Voucher services (CONVENTIONS §2): every write that matters. One module per topic."""

from .batches import (
    batch_allocate,
    batch_backfill,
    batch_close,
    batch_create,
    batch_open,
    batch_update,
    quota_for,
    quota_set,
)
from .caps import cap_fen, cap_receive, cap_release, cap_reserve, cap_usage_of, caps_release
from .claims import claim_submit
from .policy import Policy, policy_for, policy_history, policy_set
from .reclaim import R8, R9, R10, escrow_reclaim, escrows_reclaim, reclaim_sweep, wallet_reclaim
from .reminders import send_reminders
from .wallet import (
    contract_deadline,
    escrow_mark_payment_submitted,
    escrow_pay,
    escrow_payment_rejected,
    escrow_release,
    provider_redeem,
    provider_refund,
    wallet_deadline,
    wallet_earmark,
)

__all__ = [
    "R8",
    "R9",
    "R10",
    "Policy",
    "batch_allocate",
    "batch_backfill",
    "batch_close",
    "batch_create",
    "batch_open",
    "batch_update",
    "cap_fen",
    "cap_receive",
    "cap_release",
    "cap_reserve",
    "cap_usage_of",
    "caps_release",
    "claim_submit",
    "contract_deadline",
    "escrow_mark_payment_submitted",
    "escrow_pay",
    "escrow_payment_rejected",
    "escrow_reclaim",
    "escrow_release",
    "escrows_reclaim",
    "policy_for",
    "policy_history",
    "policy_set",
    "provider_redeem",
    "provider_refund",
    "quota_for",
    "quota_set",
    "reclaim_sweep",
    "send_reminders",
    "wallet_deadline",
    "wallet_earmark",
    "wallet_reclaim",
]
