from django.urls import path

from . import views

urlpatterns = [path("portal/about-you/", views.about_you, name="about_you")]
