"""The one place engagement's sub-packages are wired in: each package directly under
engagement/ (visits/, barriers/, messaging/, ...) is found here, and its optional modules are
imported from here:

- `models`: engagement/models.py imports them, so Django registers the models with the
  engagement app (and `engagement.models.X` still names each of them);
- `admin`: engagement/admin.py imports them (Django's admin autodiscovery imports that one);
- `urls`: engagement/urls.py includes each one's urlpatterns at the site's root;
- `tasks`: engagement/tasks.py imports them, so Celery's plain `autodiscover_tasks()` (which
  looks for `<app>.tasks` in every installed app) registers them;
- `receivers`: EngagementConfig.ready() imports them, connecting their signal receivers.

A new sub-package is a new directory with an `__init__.py`: nothing else to list anywhere.

Why one registry and not a Django app per sub-package: the sub-packages' models all carry the
app label "engagement" and share one migration history (engagement/migrations/). Making each
an app would move eighteen models to new app labels, with state-only migrations for every
one of them and new table-name pins, for no change in behaviour; the sub-packages would still
import each other's models. A registry keeps the app, the tables and the migrations exactly as
they are and still makes adding a sub-package a one-place change. Import-linter checks that
the sub-packages do not import each other in a circle (.importlinter).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path
from types import ModuleType

# Packages under engagement/ that are Django's own machinery, not sub-packages.
NOT_SUBPACKAGES = frozenset({"management", "migrations"})

# The modules a sub-package may have that the registry wires in.
PARTS = ("models", "admin", "urls", "tasks", "receivers")


def names() -> list[str]:
    """Every sub-package's name, alphabetically (the order urls, admins, ... are wired in)."""
    here = [str(Path(__file__).parent)]
    return sorted(
        module.name
        for module in pkgutil.iter_modules(here)
        if module.ispkg and module.name not in NOT_SUBPACKAGES
    )


def modules(part: str) -> list[ModuleType]:
    """The `part` module (one of PARTS) of every sub-package that has one, imported."""
    if part not in PARTS:
        raise ValueError(f"not a sub-package part: {part}")
    found = []
    for name in names():
        dotted = f"{__package__}.{name}.{part}"
        if importlib.util.find_spec(dotted) is not None:
            found.append(importlib.import_module(dotted))
    return found
