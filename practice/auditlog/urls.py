from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/children/<int:pk>/", views.audit_child, name="audit_child"),
    path("audit/people/<int:pk>/", views.audit_user, name="audit_user"),
]
