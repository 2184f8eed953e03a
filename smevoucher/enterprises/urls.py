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
    path("", views.unit_list, name="unit_list"),
]
