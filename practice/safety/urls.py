from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/safety/add/", views.safety_concern_add, name="safety_concern_add"),
]
