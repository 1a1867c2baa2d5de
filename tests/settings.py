"""The settings the tests run with (pyproject's DJANGO_SETTINGS_MODULE): the project's one
settings module, with the few values the tests pin so that `pytest` alone works on a fresh
clone, with no .env and no collectstatic.

- SECRET_KEY: the settings refuse to start without one; a throwaway key unless the
  environment gives one (subprocesses the tests start inherit it).
- DEBUG: the value the cookie and HTTPS settings derive from (they follow `make run`'s .env,
  DEBUG=true, what the tests were written against, whatever the shell or .env says). Django's
  test runner still runs every test with settings.DEBUG off.
- Static files: plain storage served from the app directories, so no manifest has to be built
  first ("Missing staticfiles manifest entry").
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 32)
os.environ["DEBUG"] = "true"

from practice.settings import *  # noqa: E402, F403
from practice.settings import STORAGES  # noqa: E402

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Each test starts from an empty cache (tests/conftest.py clears it): local memory, whatever
# REDIS_URL says.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
