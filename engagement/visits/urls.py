from django.urls import path

from . import views

urlpatterns = [
    path(
        "children/<int:child_pk>/sessions/schedule/",
        views.session_schedule,
        name="session_schedule",
    ),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/log/", views.session_log, name="session_log"),
    path("sessions/<int:pk>/autosave/", views.session_autosave, name="session_autosave"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session_reschedule"),
]
