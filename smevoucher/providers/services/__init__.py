"""Provider services: registration (R1, R3), review (R4) and change requests (R4)."""

from .change_requests import change_request_apply, change_request_refuse, change_request_submit
from .letters import letter_renewal_approve, letter_renewal_return, letter_renewal_submit, letter_send_reminders
from .registration import (
    CHECKLIST,
    CHECKLIST_KEYS,
    PROFILE_FIELDS,
    commitment_date_errors,
    provider_register,
    provider_submit,
)
from .review import provider_approve, provider_return
from .sanctions import provider_reinstate, provider_suspend

__all__ = [
    "CHECKLIST",
    "CHECKLIST_KEYS",
    "PROFILE_FIELDS",
    "change_request_apply",
    "change_request_refuse",
    "change_request_submit",
    "commitment_date_errors",
    "letter_renewal_approve",
    "letter_renewal_return",
    "letter_renewal_submit",
    "letter_send_reminders",
    "provider_approve",
    "provider_register",
    "provider_reinstate",
    "provider_return",
    "provider_submit",
    "provider_suspend",
]
