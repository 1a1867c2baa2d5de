"""The engagement app's admins live in its sub-packages (engagement/visits/admin.py, ...):
Django's admin autodiscovery imports this module, which imports each of them through the
registry (engagement/subpackages.py)."""

from .subpackages import modules

modules("admin")
