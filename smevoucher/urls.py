from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from smevoucher.accounts import api as accounts_api
from smevoucher.documents import api as documents_api
from smevoucher.enterprises import api as enterprises_api
from smevoucher.notices import api as notices_api

# The Django admin is for site administrators, who log in with a TOTP code too.
admin.site.__class__ = OTPAdminSite

api_v1 = [
    path("notices/", notices_api.NoticeListView.as_view(), name="notices"),
    path("notices/<int:pk>/", notices_api.NoticeDetailView.as_view(), name="notice"),
    path(
        "notices/<int:pk>/attachments/<int:document_id>/",
        notices_api.NoticeAttachmentView.as_view(),
        name="notice-attachment",
    ),
    path("notifications/", notices_api.NotificationListView.as_view(), name="notifications"),
    path("notifications/<int:pk>/read/", notices_api.NotificationReadView.as_view(), name="notification-read"),
    path("notifications/read-all/", notices_api.NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("cities/", accounts_api.CityListView.as_view(), name="cities"),
    path("documents/", documents_api.DocumentListView.as_view(), name="documents"),
    path("documents/<int:pk>/", documents_api.DocumentDetailView.as_view(), name="document"),
    path("documents/<int:pk>/download/", documents_api.DocumentDownloadView.as_view(), name="document-download"),
    path("enterprises/", enterprises_api.EnterpriseListView.as_view(), name="enterprises"),
    path("enterprises/<int:pk>/", enterprises_api.EnterpriseDetailView.as_view(), name="enterprise"),
    path("enterprises/<int:pk>/approve/", enterprises_api.EnterpriseApproveView.as_view(), name="enterprise-approve"),
    path("enterprises/<int:pk>/return/", enterprises_api.EnterpriseReturnView.as_view(), name="enterprise-return"),
    path(
        "enterprises/<int:pk>/priority-tags/",
        enterprises_api.EnterprisePriorityTagsView.as_view(),
        name="enterprise-priority-tags",
    ),
]

urlpatterns = [
    path("", include("smevoucher.core.urls")),
    path("accounts/", include("smevoucher.accounts.urls")),
    path("enterprises/", include("smevoucher.enterprises.urls")),
    path("documents/", include("smevoucher.documents.urls")),
    path("", include("smevoucher.notices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
