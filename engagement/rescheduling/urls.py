from django.urls import path

from . import views

urlpatterns = [
    path(
        "portal/children/<int:child_pk>/sessions/<int:pk>/cancel/",
        views.session_cancel,
        name="portal_session_cancel",
    ),
    path(
        "portal/children/<int:child_pk>/sessions/<int:pk>/reschedule/",
        views.reschedule_ask,
        name="portal_reschedule_ask",
    ),
    path(
        "reschedule-requests/<int:pk>/answer/",
        views.reschedule_answer,
        name="reschedule_answer",
    ),
]
