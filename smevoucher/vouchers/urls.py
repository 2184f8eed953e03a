from django.urls import path

from . import views

app_name = "vouchers"

urlpatterns = [
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/edit/", views.batch_edit, name="batch_edit"),
    path("batches/<int:pk>/open/", views.batch_open, name="batch_open"),
    path("batches/<int:pk>/allocate/", views.batch_allocate, name="batch_allocate"),
    path("batches/<int:pk>/close/", views.batch_close, name="batch_close"),
    path("batches/<int:pk>/claim/", views.claim_submit, name="claim_submit"),
    path("wallet/", views.wallet, name="wallet"),
    path("quota/", views.quota, name="quota"),
    path("policy/", views.policy, name="policy"),
]
