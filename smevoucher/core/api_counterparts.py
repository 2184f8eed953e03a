"""Every page action also exists in /api/v1/ (issue 15): the one mapping from each HTML view that accepts POST
to the API url name(s) that do the same with the same permission. `core/tests/test_api_counterparts.py` walks
the URLconf and fails for a POST view missing here, or for a name here that the API does not have.

A page that dispatches several actions (one view, an `action` in the URL) names each API counterpart.
"""

API_COUNTERPARTS: dict[str, str | tuple[str, ...]] = {
    # accounts
    "accounts:login": "api:token",
    "accounts:otp": "api:token",  # the token call takes `otp_token`
    "accounts:logout": "api:logout",
    "accounts:logout_everywhere": "api:logout-all",
    "accounts:token_revoke": "api:token-detail",
    # enterprises
    "enterprises:sign_up": "api:enterprises",  # multipart with `licence` files
    "enterprises:home": "api:enterprise-submit",
    "enterprises:approve": "api:enterprise-approve",
    "enterprises:return": "api:enterprise-return",
    "enterprises:priority_tags": "api:enterprise-priority-tags",
    "enterprises:suspend": "api:enterprise-suspend",
    "enterprises:reinstate": "api:enterprise-reinstate",
    "enterprises:change_request_new": "api:enterprise-change-requests",
    "enterprises:change_request_apply": "api:enterprise-change-request-apply",
    "enterprises:change_request_refuse": "api:enterprise-change-request-refuse",
    # documents
    "documents:upload": "api:documents",
    "documents:replace": "api:document-replace",
    # notices and the help centre
    "notices:create": "api:notices",
    "notices:edit": "api:notice",
    "notices:withdraw": "api:notice-withdraw",
    "notices:contacts_edit": "api:help-contacts",
    "notices:notification_open": "api:notification-read",
    "notices:notifications_read_all": "api:notifications-read-all",
    "notices:preferences": "api:me-preferences",
    # directory
    "directory:new": "api:directory",
    "directory:edit": "api:directory-entry",
    "directory:set_active": "api:directory-entry-active",
    "directory:import_upload": "api:directory-import",
    "directory:import_apply": "api:directory-import-apply",
    # providers
    "providers:register": "api:providers",
    "providers:home": "api:provider-submit",
    "providers:approve": "api:provider-approve",
    "providers:return": "api:provider-return",
    "providers:change_request_new": "api:provider-change-requests",
    "providers:change_request_apply": "api:change-request-apply",
    "providers:change_request_refuse": "api:change-request-refuse",
    "providers:letter": "api:provider-letters",
    "providers:letter_approve": "api:letter-renewal-approve",
    "providers:letter_return": "api:letter-renewal-return",
    "providers:suspend": "api:provider-suspend",
    "providers:reinstate": "api:provider-reinstate",
    # vouchers
    "vouchers:batch_create": "api:batches",
    "vouchers:batch_edit": "api:batch",
    "vouchers:batch_open": "api:batch-open",
    "vouchers:batch_allocate": "api:batch-allocate",
    "vouchers:batch_close": "api:batch-close",
    "vouchers:claim_submit": "api:batch-claims",
    "vouchers:quota": "api:quota-settings",
    "vouchers:policy": "api:policy-settings",
    # catalogue
    "catalogue:new": "api:products",
    "catalogue:edit": "api:product",
    "catalogue:discard": "api:product-discard-changes",
    "catalogue:submit": "api:product-submit",
    "catalogue:set_new": "api:product-material-sets",
    "catalogue:set_edit": "api:product-material-set",
    "catalogue:set_remove": "api:product-material-set",
    "catalogue:approve": "api:product-approve",
    "catalogue:return": "api:product-return",
    "catalogue:take_down": "api:product-take-down",
    # orders
    "orders:place": "api:orders",
    "orders:action": (
        "api:order-confirm",
        "api:order-decline",
        "api:order-cancel",
        "api:order-contract",
        "api:order-confirm-contract",
        "api:order-return-contract",
        "api:order-complete",
        "api:order-payment",
        "api:order-confirm-payment",
        "api:order-reject-payment",
        "api:order-refund-request",
    ),
    "orders:refund_decide": ("api:refund-request-approve", "api:refund-request-refuse"),
    "orders:city_materials": "api:city-materials",
    "orders:city_material_edit": "api:city-material",
    # integrity
    "integrity:clear": "api:risk-flag-clear",
    "integrity:confirm": "api:risk-flag-confirm",
    # feedback
    "feedback:rate": "api:order-rating",
    "feedback:complain": "api:order-complaint",
    "feedback:complaint_answer": "api:complaint-answer",
    "feedback:complaint_close": "api:complaint-close",
    # redemption
    "redemption:create": "api:redemptions",
    "redemption:action": (
        "api:redemption-lines",
        "api:redemption-materials",
        "api:redemption-submit",
        "api:redemption-approve",
        "api:redemption-reject",
        "api:redemption-payout",
    ),
    "redemption:publish": "api:redemption-publish-results",
    # reporting
    "reporting:exports": "api:exports",
    "reporting:export_audit": "api:exports",
    "reporting:refresh": "api:reports-refresh",
}

# POST views with no API counterpart, and why.
NO_API: dict[str, str] = {
    "set_language": "the API answers in the language of the Accept-Language header",
    "accounts:password_reset": "a reset is done by following the e-mailed link in a browser",
    "accounts:password_reset_confirm": "a reset is done by following the e-mailed link in a browser",
}
