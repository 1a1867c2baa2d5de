"""The outbox: one OutgoingEmail row per email the practice sends, delivered by Celery."""
