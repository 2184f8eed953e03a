from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("commitment-letter.pdf", views.commitment_letter, name="commitment_letter"),
    path("mine/", views.home, name="home"),
    path("mine/letter/", views.letter, name="letter"),
    path("letters/<int:pk>/approve/", views.letter_decide, {"decision": "approve"}, name="letter_approve"),
    path("letters/<int:pk>/return/", views.letter_decide, {"decision": "return"}, name="letter_return"),
    path("", views.unit_list, name="unit_list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/return/", views.return_for_correction, name="return"),
    path("<int:pk>/suspend/", views.suspend, name="suspend"),
    path("<int:pk>/reinstate/", views.reinstate, name="reinstate"),
    path("suspensions/", views.suspension_list, name="suspension_list"),
    path("changes/new/", views.change_request_new, name="change_request_new"),
    path("changes/", views.change_request_list, name="change_request_list"),
    path("changes/<int:pk>/", views.change_request_detail, name="change_request"),
    path("changes/<int:pk>/apply/", views.change_request_decide, {"decision": "apply"}, name="change_request_apply"),
    path("changes/<int:pk>/refuse/", views.change_request_decide, {"decision": "refuse"}, name="change_request_refuse"),
]
