from django.urls import path

from . import views

urlpatterns = [
    path("emails/", views.outbox_list, name="outbox_list"),
    path("emails/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
]
