from django.urls import path

from . import views

urlpatterns = [
    path("accounts/two-step/", views.mfa_verify, name="mfa_verify"),
    path("accounts/security/", views.mfa_setup, name="mfa_setup"),
    path("accounts/security/qr.svg", views.mfa_qr_code, name="mfa_qr_code"),
    path("accounts/security/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("accounts/security/off/", views.mfa_turn_off, name="mfa_turn_off"),
    path("practice/staff/<int:pk>/two-step/reset/", views.mfa_reset, name="mfa_reset"),
]
