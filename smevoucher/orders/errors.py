"""The refusals of the order rules, each with a stable code (CONVENTIONS §7)."""

from django.utils.translation import gettext_lazy as _

from smevoucher.core.errors import Conflict, DomainError


class NotAllowedNow(Conflict):
    code = "order_state"
    default_message = _("This order is not at a step where this can be done.")


class OutOfScope(DomainError):
    code = "out_of_scope"
    status = 403
    default_message = _("This provider may not serve enterprises of your city.")


class ContractDeadlinePassed(Conflict):
    code = "contract_deadline_passed"
    default_message = _("The 30-day deadline for the contract has passed; the order's vouchers are reclaimed.")


class VouchersExpired(Conflict):
    code = "vouchers_expired"
    default_message = _("The vouchers of this order have expired.")


class LetterNotCurrent(Conflict):
    code = "commitment_letter_outdated"
    default_message = _(
        "Upload your commitment letter dated this year first: until then you cannot confirm orders or payments."
    )


class AmountsDoNotMatch(DomainError):
    code = "amounts_do_not_match"
    default_message = _("The amounts do not match.")
