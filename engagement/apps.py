from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self):
        from practice.outbox.holds import set_rules_provider

        from .subpackages import modules
        from .updates.schedule import rules_for_users

        # Every sub-package's signal receivers (engagement/subpackages.py).
        modules("receivers")
        # The outbox's last check before sending knows parents' own times through this.
        set_rules_provider(rules_for_users)
