from django.urls import path

from . import views

urlpatterns = [
    path("children/<int:child_pk>/goals/add/", views.goal_add, name="goal_add"),
    path("portal/children/<int:child_pk>/goals/propose/", views.goal_propose, name="goal_propose"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/rate/", views.goal_rate, name="goal_rate"),
    path("goals/<int:pk>/comment/", views.goal_comment, name="goal_comment"),
    path("goals/<int:pk>/agree/", views.goal_agree, name="goal_agree"),
    path("goals/<int:pk>/status/", views.goal_status, name="goal_status"),
]
