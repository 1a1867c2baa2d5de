from django.urls import path

from .policy import views

urlpatterns = [
    path("communication/", views.communication_policy, name="communication_policy"),
]
