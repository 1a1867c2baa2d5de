from django.urls import path

from . import views

urlpatterns = [
    path(
        "portal/children/<int:pk>/observations/",
        views.observation_share,
        name="observation_share",
    ),
    path("observations/<int:pk>/reply/", views.observation_reply, name="observation_reply"),
]
