"""Publishing service products (flow step 2, R5), their review by the unit R4 names, and take-down.

Every write locks the Product row first, so two requests on one product run one after the other. Approved
revisions and their tiers, comparables and material sets are never written again (orders keep them)."""

from ..selectors import working_revision
from .completeness import missing_items
from .content import product_create, product_discard_changes, product_update
from .material_sets import material_set_add, material_set_remove, material_set_update
from .review import product_approve, product_return, product_submit, product_take_down

__all__ = [
    "material_set_add",
    "material_set_remove",
    "material_set_update",
    "missing_items",
    "product_approve",
    "product_create",
    "product_discard_changes",
    "product_return",
    "product_submit",
    "product_take_down",
    "product_update",
    "working_revision",
]
