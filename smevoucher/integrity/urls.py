from django.urls import path

from . import views

app_name = "integrity"

urlpatterns = [
    path("", views.flag_list, name="list"),
    path("<int:pk>/", views.flag_detail, name="detail"),
    path("<int:pk>/clear/", views.flag_decide, {"decision": "clear"}, name="clear"),
    path("<int:pk>/confirm/", views.flag_decide, {"decision": "confirm"}, name="confirm"),
]
