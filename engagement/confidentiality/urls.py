from django.urls import path

from . import views

urlpatterns = [
    path(
        "portal/children/<int:pk>/agreement/acknowledge/",
        views.acknowledge,
        name="agreement_acknowledge",
    ),
]
