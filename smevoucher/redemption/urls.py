from django.urls import path

from . import views

app_name = "redemption"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_create, name="create"),
    path("verify/", views.verify, name="verify"),
    path("publish/", views.results_publish, name="publish"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/forms/<str:name>", views.application_form, name="form"),
    path("<int:pk>/<str:action>/", views.application_action, name="action"),
]
