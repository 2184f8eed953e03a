"""django-axes with two thresholds: a user name from one address is locked after AXES_FAILURE_LIMIT
failures (as before), and an address is locked for every user name after AXES_ADDRESS_FAILURE_LIMIT
failures spread over any names, so guessing a few passwords for many accounts is stopped too.

axes counts per entry of AXES_LOCKOUT_PARAMETERS ([["username", "ip_address"], "ip_address"]) but with one
limit; this handler reads the two counts and applies each its own limit.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AddressAwareHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        per_name, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if per_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(per_name, get_failure_limit(request, credentials))
        return per_name

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful log-in clears that name's failures from that address only: logging in to one's own
        account must not wipe the address's count of failures against other accounts."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count
