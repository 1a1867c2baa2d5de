from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .views import audit_login

        user_logged_in.connect(audit_login, dispatch_uid="practice.audit_login")

        from .outbox.signals import email_state_changed
        from .services import invitation_follow_email

        email_state_changed.connect(invitation_follow_email, dispatch_uid="practice.invitation")

        from . import fragments

        fragments.connect()
