from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .forms import LoginForm, OutboxPasswordResetForm
from .password_reset import PasswordResetView

accounts = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path(
        "reset/",
        PasswordResetView.as_view(form_class=OutboxPasswordResetForm),
        name="password_reset",
    ),
    path("reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

intake = [
    path("add/", views.child_add, name="child_add"),
    path("<int:pk>/edit/", views.child_edit, name="child_edit"),
    path("<int:pk>/guardians/add/", views.guardian_add, name="guardian_add"),
    path("<int:pk>/guardians/<int:guardianship_pk>/", views.guardian_edit, name="guardian_edit"),
    path(
        "<int:pk>/guardians/<int:guardianship_pk>/invite/",
        views.guardian_invite,
        name="guardian_invite",
    ),
    path("<int:pk>/confidentiality/", views.agreement_add, name="agreement_add"),
]

staff = [
    path("settings/", views.practice_settings, name="practice_settings"),
    path("children/", views.children_list, name="children_list"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/resend/", views.staff_resend, name="staff_resend"),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
]

# A request refused before any view (too large, too many fields) gets the product's own page.
handler400 = "practice.errors.bad_request"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(accounts)),
    path("children/", include(intake)),
    path("children/", include("practice.safety.urls")),
    path("practice/", include(staff)),
    path("practice/", include("practice.auditlog.urls")),
    path("practice/", include("practice.outbox.urls")),
    path("practice/", include("practice.policy.urls")),
    path("", include("practice.break_glass.urls")),
    path("", include("practice.mfa.urls")),
    path("", include("goals.urls")),
    path("", include("engagement.urls")),
    path("operator/", admin.site.urls),
]
