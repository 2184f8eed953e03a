"""The refusals of the redemption rules (R13), each with a stable code."""

from django.utils.translation import gettext_lazy as _

from smevoucher.core.errors import Conflict


class NotAllowedNow(Conflict):
    code = "redemption_state"
    default_message = _("This redemption application is not at a step where this can be done.")


class PaymentTaken(Conflict):
    code = "payment_in_live_application"
    default_message = _("A payment is already in another live redemption application.")


class WrongCity(Conflict):
    code = "wrong_city"
    default_message = _(
        "A payment was made with vouchers of another issuing city; it belongs in that city's application."
    )


class ScansNotCurrent(Conflict):
    code = "scans_not_current"
    default_message = _("The stamped scans are not of the current version of the forms.")


class PaymentRefunded(Conflict):
    code = "payment_refunded"
    default_message = _("A payment in this application was refunded; it cannot be redeemed.")


class OpenRiskFlag(Conflict):
    code = "open_risk_flag"
    default_message = _("A line of this application has an open risk flag: decide the flag first.")


class ConfirmedRiskFlag(Conflict):
    code = "confirmed_risk_flag"
    default_message = _("A line of this application was found in breach; it cannot be redeemed.")
