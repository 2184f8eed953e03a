from django.urls import path

from . import views

app_name = "catalogue"

# Mounted at the site root: the public catalogue under catalogue/, the workspaces under products/.
urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.product_page, name="product"),
    path("products/", views.my_products, name="my_products"),
    path("products/new/", views.product_new, name="new"),
    path("products/review/", views.review_queue, name="review_queue"),
    path("products/<int:pk>/", views.my_product, name="mine"),
    path("products/<int:pk>/edit/", views.product_edit, name="edit"),
    path("products/<int:pk>/submit/", views.submit, name="submit"),
    path("products/<int:pk>/discard/", views.discard_changes, name="discard"),
    path("products/<int:pk>/sets/new/", views.material_set, name="set_new"),
    path("products/<int:pk>/sets/<int:position>/", views.material_set, name="set_edit"),
    path("products/<int:pk>/sets/<int:position>/remove/", views.material_set_remove, name="set_remove"),
    path("products/<int:pk>/review/", views.review, name="review"),
    path("products/<int:pk>/approve/", views.approve, name="approve"),
    path("products/<int:pk>/return/", views.return_for_correction, name="return"),
    path("products/<int:pk>/take-down/", views.take_down, name="take_down"),
]
