from django.urls import path

from . import views

urlpatterns = [
    path("children/<int:pk>/record/", views.child_record, name="child_record"),
    path("portal/export/", views.family, name="family_export"),
    path("portal/export.json", views.family_json, name="family_export_json"),
    path("portal/children/<int:pk>/export/", views.family_child, name="family_child_export"),
    path(
        "portal/children/<int:pk>/export.json",
        views.family_child_json,
        name="family_child_export_json",
    ),
]
