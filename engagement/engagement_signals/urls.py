from django.urls import path

from . import views

urlpatterns = [
    path("practice/engagement/", views.report, name="engagement_report"),
    path("children/<int:pk>/engagement/", views.child_engagement, name="child_engagement"),
]
