from django.urls import path

from . import preview

urlpatterns = [
    path(
        "children/<int:pk>/guardians/<int:guardianship_pk>/progress-email/",
        preview.progress_preview,
        name="progress_preview",
    ),
]
