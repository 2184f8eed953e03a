from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from smevoucher.accounts import api as accounts_api
from smevoucher.enterprises import api as enterprises_api
from smevoucher.vouchers import api as vouchers_api

# The Django admin is for site administrators, who log in with a TOTP code too.
admin.site.__class__ = OTPAdminSite

api_v1 = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("cities/", accounts_api.CityListView.as_view(), name="cities"),
    path("enterprises/", enterprises_api.EnterpriseListView.as_view(), name="enterprises"),
    path("enterprises/<int:pk>/", enterprises_api.EnterpriseDetailView.as_view(), name="enterprise"),
    path("enterprises/<int:pk>/approve/", enterprises_api.EnterpriseApproveView.as_view(), name="enterprise-approve"),
    path("enterprises/<int:pk>/return/", enterprises_api.EnterpriseReturnView.as_view(), name="enterprise-return"),
    path(
        "enterprises/<int:pk>/priority-tags/",
        enterprises_api.EnterprisePriorityTagsView.as_view(),
        name="enterprise-priority-tags",
    ),
    path("batches/", vouchers_api.BatchListView.as_view(), name="batches"),
    path("batches/<int:pk>/", vouchers_api.BatchDetailView.as_view(), name="batch"),
    path("batches/<int:pk>/open/", vouchers_api.BatchOpenView.as_view(), name="batch-open"),
    path("batches/<int:pk>/close/", vouchers_api.BatchCloseView.as_view(), name="batch-close"),
    path("batches/<int:pk>/allocate/", vouchers_api.BatchAllocateView.as_view(), name="batch-allocate"),
    path("batches/<int:pk>/claims/", vouchers_api.BatchClaimsView.as_view(), name="batch-claims"),
    path("wallet/", vouchers_api.WalletView.as_view(), name="wallet"),
    path("ledger/", vouchers_api.LedgerView.as_view(), name="ledger"),
]

urlpatterns = [
    path("", include("smevoucher.core.urls")),
    path("accounts/", include("smevoucher.accounts.urls")),
    path("enterprises/", include("smevoucher.enterprises.urls")),
    path("vouchers/", include("smevoucher.vouchers.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
