from django.urls import path  # noqa: F401

app_name = "reporting"

# Mounted at the site root: its pages live under /reports/ (and the provider's /orders/receipts/).
urlpatterns = []
