"""Domain errors: every refusal a rule makes has a stable code and a message in the user's language.

Views show `message` on the page; the API's exception handler answers
{"code": ..., "message": ..., "fields": {...}} with `status` (400, or 409 for a state conflict).
"""

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(force_str(self.message))

    def __str__(self) -> str:
        return force_str(self.message)


class ValidationFailed(DomainError):
    code = "validation_error"
    default_message = _("Some fields are not valid.")


class Conflict(DomainError):
    """The object is not in a state that allows this now."""

    code = "conflict"
    status = 409
    default_message = _("This cannot be done in the object's current state.")
