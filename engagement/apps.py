from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self):
        from practice.outbox.holds import set_rules_provider

        from .messaging import receivers as messaging_receivers  # noqa: F401
        from .updates import receivers  # noqa: F401
        from .updates.schedule import rules_for_users

        # The outbox's last check before sending knows parents' own times through this.
        set_rules_provider(rules_for_users)
        from .visits import signals  # noqa: F401
