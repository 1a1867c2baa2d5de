from django.urls import path

from . import views

urlpatterns = [
    path("children/<int:pk>/stage/", views.stage_change, name="stage_change"),
    path("children/<int:pk>/discharge/", views.discharge, name="discharge"),
]
