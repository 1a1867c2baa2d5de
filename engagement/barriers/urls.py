from django.urls import path

from . import views

urlpatterns = [
    path("children/<int:child_pk>/barriers/add/", views.barrier_add, name="barrier_add"),
    path("barriers/<int:pk>/edit/", views.barrier_edit, name="barrier_edit"),
    path(
        "sessions/<int:pk>/what-got-in-the-way/",
        views.barrier_after_cancellation,
        name="barrier_after_cancellation",
    ),
]
