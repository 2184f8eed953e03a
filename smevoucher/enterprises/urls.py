from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("signup/", views.sign_up, name="sign_up"),
    path("mine/", views.home, name="home"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/return/", views.return_for_correction, name="return"),
    path("<int:pk>/suspend/", views.suspend, name="suspend"),
    path("<int:pk>/reinstate/", views.reinstate, name="reinstate"),
    path("<int:pk>/priority-tags/", views.set_priority_tags, name="priority_tags"),
    path("changes/new/", views.change_request_new, name="change_request_new"),
    path("changes/", views.change_request_list, name="change_request_list"),
    path("changes/<int:pk>/", views.change_request_detail, name="change_request"),
    path("changes/<int:pk>/apply/", views.change_request_decide, {"decision": "apply"}, name="change_request_apply"),
    path("changes/<int:pk>/refuse/", views.change_request_decide, {"decision": "refuse"}, name="change_request_refuse"),
    path("", views.unit_list, name="unit_list"),
]
