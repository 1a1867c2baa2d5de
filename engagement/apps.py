from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self):
        from .updates import receivers  # noqa: F401
        from .visits import signals  # noqa: F401
