"""The refusals of the voucher rules, each with a stable code (CONVENTIONS §7)."""

from django.utils.translation import gettext_lazy as _

from smevoucher.core.errors import Conflict, DomainError


class NotEligible(DomainError):
    code = "enterprise_not_approved"
    status = 403
    default_message = _("Only an enterprise approved by its city unit may claim vouchers.")


class ClaimWindowClosed(Conflict):
    code = "claim_window_closed"
    default_message = _("The claim window of this batch is not open.")


class QuotaExceeded(DomainError):
    code = "quota_exceeded"
    default_message = _("The amount is more than the enterprise's remaining annual quota.")


class WindowStillOpen(Conflict):
    code = "window_still_open"
    default_message = _("The batch can be allocated only after its claim window has closed.")


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    default_message = _("The balance is not enough for this movement.")


class DeadlinePassed(Conflict):
    code = "deadline_passed"
    default_message = _("The vouchers are past their deadline and can no longer be used.")


class DeadlineNotReached(Conflict):
    code = "deadline_not_reached"
    default_message = _("The deadline has not passed yet.")


class CapExceeded(Conflict):
    code = "cap_exceeded"
    default_message = _(
        "This would take the provider past its cap: its share of the issuing city's total vouchers for the year "
        "(the share each batch states)."
    )
