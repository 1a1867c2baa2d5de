from django.urls import path

from . import views

urlpatterns = [
    path("communication/", views.communication_policy, name="communication_policy"),
]
