from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from smevoucher.accounts import api as accounts_api
from smevoucher.catalogue import api as catalogue_api
from smevoucher.directory import api as directory_api
from smevoucher.documents import api as documents_api
from smevoucher.enterprises import api as enterprises_api
from smevoucher.feedback import api as feedback_api
from smevoucher.integrity import api as integrity_api
from smevoucher.notices import api as notices_api
from smevoucher.orders import api as orders_api
from smevoucher.providers import api as providers_api
from smevoucher.redemption import api as redemption_api
from smevoucher.reporting import api as reporting_api
from smevoucher.reporting import api_audit as reporting_audit_api
from smevoucher.reporting import api_exports as reporting_exports_api
from smevoucher.vouchers import api as vouchers_api
from smevoucher.workbench import api as workbench_api

handler400 = "smevoucher.core.views.bad_request"  # the API's error format under /api/, a Chinese page elsewhere
handler404 = "smevoucher.core.views.not_found"
handler500 = "smevoucher.core.views.server_error"  # shows the request id

# The Django admin is for site administrators, who log in with a TOTP code too.
admin.site.__class__ = OTPAdminSite

api_v1 = [
    path("notices/", notices_api.NoticeListView.as_view(), name="notices"),
    path("notices/<int:pk>/", notices_api.NoticeDetailView.as_view(), name="notice"),
    path("notices/<int:pk>/withdraw/", notices_api.NoticeWithdrawView.as_view(), name="notice-withdraw"),
    path("help-contacts/", notices_api.HelpContactsView.as_view(), name="help-contacts"),
    path("me/preferences/", notices_api.PreferencesView.as_view(), name="me-preferences"),
    path(
        "notices/<int:pk>/attachments/<int:document_id>/",
        notices_api.NoticeAttachmentView.as_view(),
        name="notice-attachment",
    ),
    path("notifications/", notices_api.NotificationListView.as_view(), name="notifications"),
    path("notifications/<int:pk>/read/", notices_api.NotificationReadView.as_view(), name="notification-read"),
    path("notifications/read-all/", notices_api.NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("auth/tokens/", accounts_api.TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<str:key>/", accounts_api.TokenDetailView.as_view(), name="token-detail"),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", accounts_api.LogoutAllView.as_view(), name="logout-all"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("cities/", accounts_api.CityListView.as_view(), name="cities"),
    path("documents/", documents_api.DocumentListView.as_view(), name="documents"),
    path("documents/<int:pk>/", documents_api.DocumentDetailView.as_view(), name="document"),
    path("documents/<int:pk>/download/", documents_api.DocumentDownloadView.as_view(), name="document-download"),
    path("documents/<int:pk>/replace/", documents_api.DocumentReplaceView.as_view(), name="document-replace"),
    path("enterprises/", enterprises_api.EnterpriseListView.as_view(), name="enterprises"),
    path("enterprises/<int:pk>/", enterprises_api.EnterpriseDetailView.as_view(), name="enterprise"),
    path("enterprises/<int:pk>/approve/", enterprises_api.EnterpriseApproveView.as_view(), name="enterprise-approve"),
    path("enterprises/<int:pk>/return/", enterprises_api.EnterpriseReturnView.as_view(), name="enterprise-return"),
    path("enterprises/<int:pk>/suspend/", enterprises_api.EnterpriseSuspendView.as_view(), name="enterprise-suspend"),
    path(
        "enterprises/<int:pk>/reinstate/",
        enterprises_api.EnterpriseReinstateView.as_view(),
        name="enterprise-reinstate",
    ),
    path("enterprises/<int:pk>/submit/", enterprises_api.EnterpriseSubmitView.as_view(), name="enterprise-submit"),
    path(
        "enterprises/<int:pk>/priority-tags/",
        enterprises_api.EnterprisePriorityTagsView.as_view(),
        name="enterprise-priority-tags",
    ),
    path("directory/check/", directory_api.DirectoryCheckView.as_view(), name="directory-check"),
    path("directory/", directory_api.EntryListView.as_view(), name="directory"),
    path("directory/<int:pk>/", directory_api.EntryDetailView.as_view(), name="directory-entry"),
    path("directory/<int:pk>/active/", directory_api.EntryActiveView.as_view(), name="directory-entry-active"),
    path("directory/template.xlsx", directory_api.TemplateView.as_view(), name="directory-template"),
    path("directory/import/", directory_api.ImportListView.as_view(), name="directory-import"),
    path("directory/import/<int:pk>/", directory_api.ImportDetailView.as_view(), name="directory-import-detail"),
    path("directory/import/<int:pk>/apply/", directory_api.ImportApplyView.as_view(), name="directory-import-apply"),
    path("providers/", providers_api.ProviderListView.as_view(), name="providers"),
    path(
        "providers/commitment-letter.pdf",
        providers_api.CommitmentLetterTemplateView.as_view(),
        name="provider-commitment-letter",
    ),
    path("providers/<int:pk>/cap/", orders_api.ProviderCapView.as_view(), name="provider-cap"),
    path("providers/<int:pk>/letters/", providers_api.ProviderLettersView.as_view(), name="provider-letters"),
    path("letter-renewals/", providers_api.LetterRenewalListView.as_view(), name="letter-renewals"),
    path(
        "letter-renewals/<int:pk>/approve/",
        providers_api.LetterRenewalDecisionView.as_view(decision="approve"),
        name="letter-renewal-approve",
    ),
    path(
        "letter-renewals/<int:pk>/return/",
        providers_api.LetterRenewalDecisionView.as_view(decision="return"),
        name="letter-renewal-return",
    ),
    path("city-materials/", orders_api.CityMaterialListView.as_view(), name="city-materials"),
    path("city-materials/<int:pk>/", orders_api.CityMaterialDetailView.as_view(), name="city-material"),
    path("providers/<int:pk>/", providers_api.ProviderDetailView.as_view(), name="provider"),
    path("providers/<int:pk>/submit/", providers_api.ProviderSubmitView.as_view(), name="provider-submit"),
    path("providers/<int:pk>/approve/", providers_api.ProviderApproveView.as_view(), name="provider-approve"),
    path("providers/<int:pk>/return/", providers_api.ProviderReturnView.as_view(), name="provider-return"),
    path("providers/<int:pk>/suspend/", providers_api.ProviderSuspendView.as_view(), name="provider-suspend"),
    path("providers/<int:pk>/reinstate/", providers_api.ProviderReinstateView.as_view(), name="provider-reinstate"),
    path("provider-suspensions/", providers_api.SuspensionListView.as_view(), name="provider-suspensions"),
    path(
        "providers/<int:pk>/change-requests/",
        providers_api.ProviderChangeRequestsView.as_view(),
        name="provider-change-requests",
    ),
    path("change-requests/", providers_api.ChangeRequestListView.as_view(), name="change-requests"),
    path(
        "change-requests/<int:pk>/apply/",
        providers_api.ChangeRequestDecisionView.as_view(decision="apply"),
        name="change-request-apply",
    ),
    path(
        "change-requests/<int:pk>/refuse/",
        providers_api.ChangeRequestDecisionView.as_view(decision="refuse"),
        name="change-request-refuse",
    ),
    path(
        "enterprises/<int:pk>/change-requests/",
        enterprises_api.EnterpriseChangeRequestsView.as_view(),
        name="enterprise-change-requests",
    ),
    path(
        "enterprise-change-requests/",
        enterprises_api.EnterpriseChangeRequestListView.as_view(),
        name="enterprise-change-request-list",
    ),
    path(
        "enterprise-change-requests/<int:pk>/",
        enterprises_api.EnterpriseChangeRequestDetailView.as_view(),
        name="enterprise-change-request",
    ),
    path(
        "enterprise-change-requests/<int:pk>/apply/",
        enterprises_api.EnterpriseChangeDecisionView.as_view(decision="apply"),
        name="enterprise-change-request-apply",
    ),
    path(
        "enterprise-change-requests/<int:pk>/refuse/",
        enterprises_api.EnterpriseChangeDecisionView.as_view(decision="refuse"),
        name="enterprise-change-request-refuse",
    ),
    path("batches/", vouchers_api.BatchListView.as_view(), name="batches"),
    path("batches/<int:pk>/", vouchers_api.BatchDetailView.as_view(), name="batch"),
    path("batches/<int:pk>/open/", vouchers_api.BatchOpenView.as_view(), name="batch-open"),
    path("batches/<int:pk>/close/", vouchers_api.BatchCloseView.as_view(), name="batch-close"),
    path("batches/<int:pk>/allocate/", vouchers_api.BatchAllocateView.as_view(), name="batch-allocate"),
    path("batches/<int:pk>/claims/", vouchers_api.BatchClaimsView.as_view(), name="batch-claims"),
    path("wallet/", vouchers_api.WalletView.as_view(), name="wallet"),
    path("ledger/", vouchers_api.LedgerView.as_view(), name="ledger"),
    path("quota-settings/", vouchers_api.QuotaSettingsView.as_view(), name="quota-settings"),
    path("policy-settings/", vouchers_api.PolicySettingsView.as_view(), name="policy-settings"),
    path("products/", catalogue_api.ProductListView.as_view(), name="products"),
    path("products/<int:pk>/", catalogue_api.ProductDetailView.as_view(), name="product"),
    path("products/<int:pk>/material-sets/", catalogue_api.MaterialSetListView.as_view(), name="product-material-sets"),
    path(
        "products/<int:pk>/material-sets/<int:position>/",
        catalogue_api.MaterialSetDetailView.as_view(),
        name="product-material-set",
    ),
    path("products/<int:pk>/submit/", catalogue_api.ProductActionView.as_view(action="submit"), name="product-submit"),
    path(
        "products/<int:pk>/discard-changes/",
        catalogue_api.ProductActionView.as_view(action="discard_changes"),
        name="product-discard-changes",
    ),
    path(
        "products/<int:pk>/approve/", catalogue_api.ProductActionView.as_view(action="approve"), name="product-approve"
    ),
    path("products/<int:pk>/return/", catalogue_api.ProductActionView.as_view(action="return"), name="product-return"),
    path(
        "products/<int:pk>/take-down/",
        catalogue_api.ProductActionView.as_view(action="take_down"),
        name="product-take-down",
    ),
    path("orders/", orders_api.OrderListView.as_view(), name="orders"),
    path("orders/<int:pk>/", orders_api.OrderDetailView.as_view(), name="order"),
    path("orders/<int:pk>/confirm/", orders_api.OrderConfirmView.as_view(), name="order-confirm"),
    path("orders/<int:pk>/decline/", orders_api.OrderDeclineView.as_view(), name="order-decline"),
    path("orders/<int:pk>/cancel/", orders_api.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<int:pk>/contract/", orders_api.OrderContractView.as_view(), name="order-contract"),
    path(
        "orders/<int:pk>/confirm-contract/",
        orders_api.OrderConfirmContractView.as_view(),
        name="order-confirm-contract",
    ),
    path(
        "orders/<int:pk>/return-contract/", orders_api.OrderReturnContractView.as_view(), name="order-return-contract"
    ),
    path("orders/<int:pk>/complete/", orders_api.OrderCompleteView.as_view(), name="order-complete"),
    path("orders/<int:pk>/payment/", orders_api.OrderPaymentView.as_view(), name="order-payment"),
    path(
        "orders/<int:pk>/confirm-payment/", orders_api.OrderConfirmPaymentView.as_view(), name="order-confirm-payment"
    ),
    path("orders/<int:pk>/reject-payment/", orders_api.OrderRejectPaymentView.as_view(), name="order-reject-payment"),
    path("orders/<int:pk>/refund-request/", orders_api.OrderRefundRequestView.as_view(), name="order-refund-request"),
    path("orders/<int:pk>/rating/", feedback_api.OrderRatingView.as_view(), name="order-rating"),
    path("orders/<int:pk>/complaint/", feedback_api.OrderComplaintView.as_view(), name="order-complaint"),
    path("complaints/", feedback_api.ComplaintListView.as_view(), name="complaints"),
    path("complaints/<int:pk>/", feedback_api.ComplaintDetailView.as_view(), name="complaint"),
    path("complaints/<int:pk>/answer/", feedback_api.ComplaintAnswerView.as_view(), name="complaint-answer"),
    path("complaints/<int:pk>/close/", feedback_api.ComplaintCloseView.as_view(), name="complaint-close"),
    path("refund-requests/", orders_api.RefundRequestListView.as_view(), name="refund-requests"),
    path("refund-requests/<int:pk>/approve/", orders_api.RefundApproveView.as_view(), name="refund-request-approve"),
    path("refund-requests/<int:pk>/refuse/", orders_api.RefundRefuseView.as_view(), name="refund-request-refuse"),
    path("risk-flags/", integrity_api.FlagListView.as_view(), name="risk-flags"),
    path(
        "risk-flags/<int:pk>/clear/", integrity_api.FlagDecisionView.as_view(decision="clear"), name="risk-flag-clear"
    ),
    path(
        "risk-flags/<int:pk>/confirm/",
        integrity_api.FlagDecisionView.as_view(decision="confirm"),
        name="risk-flag-confirm",
    ),
    path("redemptions/", redemption_api.RedemptionListView.as_view(), name="redemptions"),
    path("redemptions/verify/", redemption_api.RedemptionVerifyView.as_view(), name="redemption-verify"),
    path(
        "redemptions/publish-results/",
        redemption_api.RedemptionPublishResultsView.as_view(),
        name="redemption-publish-results",
    ),
    path("redemptions/<int:pk>/", redemption_api.RedemptionDetailView.as_view(), name="redemption"),
    path("redemptions/<int:pk>/lines/", redemption_api.RedemptionLinesView.as_view(), name="redemption-lines"),
    path(
        "redemptions/<int:pk>/materials/", redemption_api.RedemptionMaterialsView.as_view(), name="redemption-materials"
    ),
    path("redemptions/<int:pk>/submit/", redemption_api.RedemptionSubmitView.as_view(), name="redemption-submit"),
    path("redemptions/<int:pk>/approve/", redemption_api.RedemptionApproveView.as_view(), name="redemption-approve"),
    path("redemptions/<int:pk>/reject/", redemption_api.RedemptionRejectView.as_view(), name="redemption-reject"),
    path("redemptions/<int:pk>/payout/", redemption_api.RedemptionPayoutView.as_view(), name="redemption-payout"),
    path(
        "redemptions/<int:pk>/forms/application.pdf",
        redemption_api.RedemptionFormView.as_view(name="application.pdf"),
        name="redemption-form-application-pdf",
    ),
    path(
        "redemptions/<int:pk>/forms/summary.xlsx",
        redemption_api.RedemptionFormView.as_view(name="summary.xlsx"),
        name="redemption-form-summary-xlsx",
    ),
    path(
        "redemptions/<int:pk>/forms/summary.pdf",
        redemption_api.RedemptionFormView.as_view(name="summary.pdf"),
        name="redemption-form-summary-pdf",
    ),
    path("audit/", reporting_audit_api.AuditListView.as_view(), name="audit"),
    path("exports/", reporting_exports_api.ExportListView.as_view(), name="exports"),
    path("exports/<int:pk>/", reporting_exports_api.ExportDetailView.as_view(), name="export"),
    path("exports/<int:pk>/download/", reporting_exports_api.ExportDownloadView.as_view(), name="export-download"),
    path("reports/summary/", reporting_api.SummaryView.as_view(), name="reports-summary"),
    path("reports/claims-over-time/", reporting_api.ClaimsOverTimeView.as_view(), name="reports-claims-over-time"),
    path("reports/providers/", reporting_api.ProvidersView.as_view(), name="reports-providers"),
    path("reports/refresh/", reporting_api.RefreshView.as_view(), name="reports-refresh"),
    path("catalogue/", catalogue_api.CatalogueView.as_view(), name="catalogue"),
    path("catalogue/<int:pk>/", catalogue_api.CatalogueDetailView.as_view(), name="catalogue-product"),
    path("workbench/", workbench_api.WorkbenchView.as_view(), name="workbench"),
]

urlpatterns = [
    # First: an API request then skips every page's pattern (Django tries them in order).
    path("api/v1/", include((api_v1, "api"))),
    path("", include("smevoucher.core.urls")),
    path("accounts/", include("smevoucher.accounts.urls")),
    path("enterprises/", include("smevoucher.enterprises.urls")),
    path("documents/", include("smevoucher.documents.urls")),
    path("", include("smevoucher.notices.urls")),
    path("directory/", include("smevoucher.directory.urls")),
    path("providers/", include("smevoucher.providers.urls")),
    path("integrity/", include("smevoucher.integrity.urls")),
    path("vouchers/", include("smevoucher.vouchers.urls")),
    path("", include("smevoucher.catalogue.urls")),
    path("", include("smevoucher.reporting.urls")),
    path("orders/", include("smevoucher.orders.urls")),
    path("redemption/", include("smevoucher.redemption.urls")),
    path("feedback/", include("smevoucher.feedback.urls")),
    path("workbench/", include("smevoucher.workbench.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # Split: the start-up script is served as a file, so the Content-Security-Policy needs no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="core/swagger_ui.html"),
        name="api-docs",
    ),
    path("", include("smevoucher.ops.urls")),
]
