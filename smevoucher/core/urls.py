from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("flow/", views.flow_chart, name="flow"),
]
