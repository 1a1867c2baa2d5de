"""Celery's `autodiscover_tasks()` imports `<app>.tasks` of every installed app: this module
imports every sub-package's tasks (engagement/subpackages.py), so each is registered."""

from .subpackages import modules

modules("tasks")
