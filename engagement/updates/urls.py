from django.urls import path

from . import preview, views

urlpatterns = [
    path("portal/updates/", views.preferences, name="update_preferences"),
    path("updates/unsubscribe/<str:token>/", views.unsubscribe, name="update_unsubscribe"),
    path(
        "children/<int:pk>/guardians/<int:guardianship_pk>/progress-email/",
        preview.progress_preview,
        name="progress_preview",
    ),
]
