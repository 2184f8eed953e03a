from django.urls import path

from . import views

app_name = "reporting"

# Mounted at the site root: its pages live under /reports/ (and the provider's /orders/receipts/).
urlpatterns = [
    path("reports/", views.dashboard_page, name="dashboard"),
    path("reports/refresh/", views.dashboard_refresh, name="refresh"),
    path("reports/export/<slug:key>.xlsx", views.dashboard_export, name="export"),
    path("orders/receipts/", views.receipts_page, name="receipts"),
    path("orders/receipts.xlsx", views.receipts_export, name="receipts_export"),
]
