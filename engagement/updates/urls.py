from django.urls import path

from . import views

urlpatterns = [
    path("portal/updates/", views.preferences, name="update_preferences"),
    path("updates/unsubscribe/<str:token>/", views.unsubscribe, name="update_unsubscribe"),
]
