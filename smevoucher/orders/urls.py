from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/<int:revision_id>/", views.order_place, name="place"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.order_action, name="action"),
    path("cap/", views.cap_gauge, name="cap_gauge"),
    path("refunds/", views.refund_list, name="refund_list"),
    path("refunds/<int:pk>/<str:decision>/", views.refund_decide, name="refund_decide"),
    path("city-materials/", views.city_materials, name="city_materials"),
    path("city-materials/<int:pk>/edit/", views.city_material_edit, name="city_material_edit"),
    path("city-materials/<int:pk>/template/", views.city_material_template, name="city_material_template"),
    path("city-materials/<slug:city>/", views.city_materials_public, name="city_materials_public"),
]
