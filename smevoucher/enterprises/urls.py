from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("signup/", views.sign_up, name="sign_up"),
    path("mine/", views.home, name="home"),
    path("<int:pk>/", views.detail, name="detail"),
    path("", views.unit_list, name="unit_list"),
]
