from django.urls import path

from . import views

# The paths and URL names keep their plain-language "emergency" (what the pages say to a
# clinician, and what bookmarks and the tests use); the code and templates say break_glass.
urlpatterns = [
    path("emergency/", views.break_glass_search, name="emergency_search"),
    path("emergency/<int:pk>/", views.break_glass_request, name="emergency_request"),
    path("practice/emergency-access/", views.break_glass_grants, name="emergency_grants"),
]
