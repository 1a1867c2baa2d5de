from django.urls import path

from . import views

urlpatterns = [
    path("portal/messages/", views.portal_messages, name="portal_messages"),
    path(
        "portal/children/<int:child_pk>/messages/new/",
        views.thread_start,
        name="message_thread_start",
    ),
    path("messages/<int:pk>/", views.thread_detail, name="message_thread"),
]
