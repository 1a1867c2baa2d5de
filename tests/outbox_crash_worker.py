"""A Celery worker for tests/practice/test_outbox_delivery.py that can kill itself with SIGKILL
once, at a fixed point of the SMTP handoff, like a machine losing power mid-send.

OUTBOX_CRASH=before: dies after the row is claimed (state `sending`, committed), just before
the message is handed to SMTP. OUTBOX_CRASH=after: dies once the SMTP server has accepted the
message, before the row is marked sent. OUTBOX_CRASH_FLAG names a file created just before
dying: while it exists the worker runs normally, so a restarted worker finishes the work.
OUTBOX_QUEUE is the test's own queue (the worker listens there and queues its tasks there).

The kill lives here, on the test side; production code only names the handoff
(practice.outbox.services._handoff).
"""

import os
import signal
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
django.setup()

from practice.celery import app  # noqa: E402
from practice.outbox import services  # noqa: E402

CRASH = os.environ.get("OUTBOX_CRASH", "")
FLAG = Path(os.environ.get("OUTBOX_CRASH_FLAG", "/nonexistent/outbox-crash-flag"))
QUEUE = os.environ["OUTBOX_QUEUE"]
handoff = services._handoff


def die() -> None:
    FLAG.touch()
    os.kill(os.getpid(), signal.SIGKILL)


def handoff_that_may_die(connection, message) -> None:
    armed = CRASH and not FLAG.exists()
    if armed and CRASH == "before":
        die()
    handoff(connection, message)
    if armed and CRASH == "after":
        die()


services._handoff = handoff_that_may_die
app.conf.task_default_queue = QUEUE
app.worker_main(
    [
        "worker",
        f"--queues={QUEUE}",
        f"--hostname=outbox-{os.getpid()}@%h",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
)
