from django.urls import path

from . import views

urlpatterns = [
    path(
        "children/<int:child_pk>/home-practice/assign/",
        views.home_practice_assign,
        name="home_practice_assign",
    ),
    path("home-practice/<int:pk>/end/", views.home_practice_end, name="home_practice_end"),
    path(
        "portal/children/<int:child_pk>/home-practice/<int:pk>/check-in/",
        views.check_in,
        name="check_in",
    ),
]
