from django.urls import include, path

from . import views
from .subpackages import modules

# Each sub-package's urls at the site's root (engagement/subpackages.py finds them), then the
# hub pages that gather from all of them.
urlpatterns = [path("", include(urls)) for urls in modules("urls")] + [
    path("caseload/", views.caseload, name="caseload"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("portal/", views.portal_home, name="portal_home"),
    path("portal/children/<int:pk>/", views.portal_child, name="portal_child"),
    path("practice/staff/<int:pk>/leave/", views.clinician_leave, name="clinician_leave"),
]
