import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")

app = Celery("practice")
app.config_from_object("django.conf:settings", namespace="CELERY")
# `<app>.tasks` of every installed app; engagement/tasks.py imports its sub-packages' tasks.
app.autodiscover_tasks()
# The outbox's tasks (a practice sub-package).
app.autodiscover_tasks(["practice.outbox"])
