"""Work that runs once the transaction commits: handing an email to the worker, telling the
pages that its state changed. Django's `robust` on_commit logs a failing callback by its
`__qualname__`, which a functools.partial lacks: the log line itself then raised, and a broker
that was down broke the page after the rows were saved. These callbacks carry a name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction


def after_commit(func: Callable[..., Any], *args: Any, robust: bool = False, **kwargs: Any) -> None:
    """Call `func(*args, **kwargs)` after the commit; `robust`: a failure is logged, not raised
    (the outbox's sweep sends a pending email whose hand-over failed)."""

    def call() -> None:
        func(*args, **kwargs)

    call.__qualname__ = getattr(func, "__qualname__", repr(func))
    transaction.on_commit(call, robust=robust)
