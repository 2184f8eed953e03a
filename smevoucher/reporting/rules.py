"""Who may see the reports (CONVENTIONS §6): the units their remit's figures (the selectors narrow a city unit to its
city), a provider its own receipts."""

import rules

from smevoucher.core import access

rules.add_perm("reporting.view_dashboard", access.is_unit_staff)
rules.add_perm("reporting.view_receipts", access.is_provider_user)
