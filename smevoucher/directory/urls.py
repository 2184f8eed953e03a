from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("check/", views.check, name="check"),
    path("", views.entry_list, name="list"),
    path("new/", views.entry_edit, name="new"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/active/", views.entry_set_active, name="set_active"),
    path("template.xlsx", views.template_download, name="template"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_detail, name="import"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
]
