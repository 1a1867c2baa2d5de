from django.urls import path

from . import views

urlpatterns = [
    path(
        "children/<int:child_pk>/engagement-agreement/",
        views.agreement_record,
        name="engagement_agreement_record",
    ),
    path(
        "portal/children/<int:child_pk>/engagement-agreement/<int:pk>/agree/",
        views.agreement_acknowledge,
        name="engagement_agreement_acknowledge",
    ),
]
