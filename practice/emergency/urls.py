from django.urls import path

from . import views

urlpatterns = [
    path("emergency/", views.emergency_search, name="emergency_search"),
    path("emergency/<int:pk>/", views.emergency_request, name="emergency_request"),
    path("practice/emergency-access/", views.emergency_grants, name="emergency_grants"),
]
