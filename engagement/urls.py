from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("engagement.visits.urls")),
    path("", include("engagement.practice_at_home.urls")),
    path("", include("engagement.observations.urls")),
    path("", include("engagement.profiles.urls")),
    path("", include("engagement.barriers.urls")),
    path("", include("engagement.discharge.urls")),
    path("", include("engagement.confidentiality.urls")),
    path("", include("engagement.export.urls")),
    path("", include("engagement.messaging.urls")),
    path("", include("engagement.engagement_agreements.urls")),
    path("", include("engagement.rescheduling.urls")),
    path("", include("engagement.engagement_signals.urls")),
    path("", include("engagement.updates.urls")),
    path("caseload/", views.caseload, name="caseload"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("portal/", views.portal_home, name="portal_home"),
    path("portal/children/<int:pk>/", views.portal_child, name="portal_child"),
    path("practice/staff/<int:pk>/leave/", views.clinician_leave, name="clinician_leave"),
]
