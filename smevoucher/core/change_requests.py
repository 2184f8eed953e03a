"""The unit's decision on a change request, the part enterprises (issue 17) and providers (R4) share. Each app
locks the request and its subject (in its own order), carries an applied request out, records the audit event and
tells whom it tells."""

from django.utils.translation import gettext as _

from . import clock
from .errors import Conflict


def change_request_decide(change, *, actor, to: str, reply: str) -> bool:
    """Records the unit's decision (`to`: applied or refused) on a request the caller has locked. False when a
    repeated click finds it already decided this way (nothing more to do); decided the other way, a Conflict. The
    caller carries the decision out in the same transaction, so a failure there undoes the decision too."""
    if change.status == to:
        return False
    if change.status == change.Status.REFUSED:
        raise Conflict(_("This change request was already refused."))
    if change.status == change.Status.APPLIED:
        raise Conflict(_("This change request was already applied."))
    change.status, change.reply = to, reply
    change.decided_by, change.decided_at = actor, clock.now()
    change.save(update_fields=["status", "reply", "decided_by", "decided_at"])
    return True
