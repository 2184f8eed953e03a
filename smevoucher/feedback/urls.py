from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("orders/<int:order_id>/rating/", views.rate, name="rate"),
    path("orders/<int:order_id>/complaint/", views.complain, name="complain"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/answer/", views.complaint_answer, name="complaint_answer"),
    path("complaints/<int:pk>/close/", views.complaint_close, name="complaint_close"),
]
