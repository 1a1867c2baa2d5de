"""The engagement app's models live in its sub-packages (engagement/visits/models.py, ...).
Django imports this module to find them: importing every sub-package's models through the
registry (engagement/subpackages.py) registers them with the engagement app, and each class a
models module defines stays importable from here as `engagement.models.<Name>`."""

from .subpackages import modules

for _module in modules("models"):
    globals().update(
        {
            name: value
            for name, value in vars(_module).items()
            if isinstance(value, type) and value.__module__ == _module.__name__
        }
    )
