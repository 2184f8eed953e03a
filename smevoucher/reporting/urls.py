from django.urls import path

from . import views, views_audit, views_exports

app_name = "reporting"

# Mounted at the site root: its pages live under /reports/ (and the provider's /orders/receipts/).
urlpatterns = [
    path("reports/exports/", views_exports.export_list, name="exports"),
    path("reports/exports/audit/", views_exports.export_audit, name="export_audit"),
    path("reports/exports/<int:pk>/progress/", views_exports.export_progress, name="export_progress"),
    path("reports/exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
    path("reports/audit/", views_audit.audit_search, name="audit"),
    path("reports/audit/history/<str:object_type>/<str:object_id>/", views_audit.history, name="history"),
    path("reports/", views.dashboard_page, name="dashboard"),
    path("reports/refresh/", views.dashboard_refresh, name="refresh"),
    path("reports/export/<slug:key>.xlsx", views.dashboard_export, name="export"),
    path("orders/receipts/", views.receipts_page, name="receipts"),
    path("orders/receipts.xlsx", views.receipts_export, name="receipts_export"),
]
