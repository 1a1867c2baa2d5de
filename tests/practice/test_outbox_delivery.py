"""The outbox against real services: a Celery worker through the configured broker (Redis in
.ci/run), a real SMTP server (aiosmtpd, tests/mailsink.py), and for the crash tests a worker
in another process killed with SIGKILL mid-delivery (tests/outbox_crash_worker.py).

Every row ends sent; each message carries its row's Message-ID, so a repeat after a crash is
recognisable as the same message."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone

from practice.celery import app
from practice.models import OutgoingEmail
from practice.outbox import services
from practice.outbox.tasks import outbox_sweep
from tests.conftest import REQUIRE_SERVICES
from tests.mailsink import SMTP_BACKEND, MailSink, free_port, point_settings_at

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("always_allowed"),
]

ROOT = Path(__file__).resolve().parents[2]
CRASH_WORKER = ROOT / "tests" / "outbox_crash_worker.py"


@pytest.fixture
def queue():
    """A queue of this test's own, for what it queues and what its workers queue."""
    if REQUIRE_SERVICES or os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    else:
        for folder in ("out", "processed", "control"):
            settings.BROKER_DIR.joinpath(folder).mkdir(parents=True, exist_ok=True)
    name = f"outbox-test-{uuid.uuid4().hex}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = name
    yield name
    app.conf.task_default_queue = previous


def queue_emails(count: int) -> list[OutgoingEmail]:
    # In a transactional test each row commits at once, so its delivery is queued at once.
    return [
        services.email_queue_rendered(
            to=f"parent{n}@test.example",
            kind=OutgoingEmail.Kind.MESSAGE_NOTICE,
            subject=f"Notice {n}",
            text=f"There is a new message for you ({n}).",
            html=f"<p>There is a new message for you ({n}).</p>",
        )
        for n in range(count)
    ]


def wait_until(condition, seconds: float, *, every=None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if every is not None:
            every()
        time.sleep(0.3)
    return condition()


def all_sent(emails) -> bool:
    pks = [e.pk for e in emails]
    return OutgoingEmail.objects.filter(pk__in=pks, state="sent").count() == len(pks)


def received_ids(sink: MailSink) -> dict[str, list[str]]:
    """Recipient -> the Message-IDs they received, in order."""
    received = defaultdict(list)
    for message in sink.messages:
        received[message["To"]].append(message["Message-ID"])
    return received


def assert_each_row_received_with_its_own_message_id(emails, sink: MailSink) -> None:
    received = received_ids(sink)
    assert set(received) == {e.recipient for e in emails}
    for email in emails:
        email.refresh_from_db()
        assert email.state == "sent"
        # However many times it went out, always with the row's one Message-ID
        assert set(received[email.recipient]) == {email.message_id}


def on_sqlite() -> bool:
    return connection.vendor == "sqlite"


def recover_on_sqlite():
    """SQLite's shared in-memory test database can refuse the worker thread a write while this
    thread reads ("table is locked"), and that task is lost; the sweeper recovers the row, as
    it would in production. PostgreSQL has no such lock, so there every row must go through
    on its first queueing."""
    return outbox_sweep.delay if on_sqlite() else None


def in_process_worker(queue):
    return start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]
    )


# --- (a) Delivery through a real worker ----------------------------------------------------


def held_emails(count: int) -> list[OutgoingEmail]:
    """Rows that were held (quiet hours) and are now due: only the sweeper queues them."""
    later = timezone.now() + datetime.timedelta(hours=1)
    emails = [
        services.email_queue_rendered(
            to=f"held{n}@test.example",
            kind=OutgoingEmail.Kind.SESSION_REMINDER,
            subject=f"Reminder {n}",
            text="Your session is tomorrow.",
            html="<p>Your session is tomorrow.</p>",
            send_after=later,
        )
        for n in range(count)
    ]
    OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails]).update(send_after=timezone.now())
    return emails


def test_a_real_worker_delivers_every_row_each_with_its_message_id(queue, settings):
    settings.OUTBOX_CHUNK_SIZE = 2
    settings.OUTBOX_STUCK_SECONDS = 2
    with MailSink() as sink, in_process_worker(queue):
        point_settings_at(settings, sink)
        # One row at a time, as queued after each commit
        singles = queue_emails(3)
        assert wait_until(lambda: all_sent(singles), 30, every=recover_on_sqlite())
        # And chunks over one connection each, as the sweeper queues rows that fell due
        held = held_emails(5)
        outbox_sweep.delay()
        assert wait_until(lambda: all_sent(held), 30, every=recover_on_sqlite())
    assert len(sink.messages) == 8 or on_sqlite()
    assert_each_row_received_with_its_own_message_id(singles + held, sink)


# --- (b) The SMTP server is down, then refuses, then works ---------------------------------


def test_smtp_down_for_the_first_tries_is_retried_and_delivered_none_lost(queue, settings):
    settings.OUTBOX_RETRY_DELAYS = [1, 1, 1, 1]
    settings.OUTBOX_STUCK_SECONDS = 2
    port = free_port()
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    with in_process_worker(queue):
        # Given no SMTP server listening yet
        emails = queue_emails(3)

        def first_try_failed():
            rows = OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails])
            return all(row.attempts >= 1 and row.state == "pending" for row in rows)

        assert wait_until(first_try_failed, 30, every=recover_on_sqlite())
        assert all(
            "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
            for row in OutgoingEmail.objects.all()
        )
        # When the server comes up but answers 451 to the first two messages
        with MailSink(port=port, refuse_first=2) as sink:
            # Then the sweeper (the beat's minute, here every fraction of a second) retries
            # until every row is delivered
            assert wait_until(lambda: all_sent(emails), 40, every=outbox_sweep.delay)
    assert sink.refused == 2
    assert len(sink.messages) == 3 or on_sqlite()
    assert_each_row_received_with_its_own_message_id(emails, sink)
    attempts = sorted(OutgoingEmail.objects.values_list("attempts", flat=True))
    assert attempts[0] >= 2 and sum(attempts) >= 3 + 3 + 2  # the refusals cost tries


# --- (c) A worker killed at a fixed point, then a fresh worker and the sweeper --------------


def worker_env(queue: str, sink: MailSink, **extra) -> dict:
    database = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}"
            f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "OUTBOX_QUEUE": queue,
        "OUTBOX_STUCK_SECONDS": "2",
        "OUTBOX_RETRY_DELAYS": "1,1,1",
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "false",
        "CONN_MAX_AGE": "0",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def start(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(CRASH_WORKER)],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("point", ["before", "after"])
def test_a_worker_killed_mid_delivery_is_finished_by_a_fresh_one_every_row_sent(
    queue, point, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the killed worker is another process and cannot see SQLite's in-memory test "
            "database; runs on PostgreSQL (DATABASE_URL), as in .ci/run"
        )
    log = tmp_path / "worker.log"
    flag = tmp_path / "crashed"
    with MailSink() as sink:
        env = worker_env(queue, sink)
        emails = queue_emails(3)
        # Given a worker that dies at the fixed point while sending the first row
        crashing = start({**env, "OUTBOX_CRASH": point, "OUTBOX_CRASH_FLAG": str(flag)}, log)
        try:
            crashing.wait(timeout=40)
        finally:
            stop(crashing)
        assert crashing.returncode == -signal.SIGKILL, log.read_text()[-3000:]
        killed = OutgoingEmail.objects.get(state="sending")
        assert killed.attempts == 1
        handed_over = [m["Message-ID"] for m in sink.messages]
        assert handed_over == ([killed.message_id] if point == "after" else [])
        # When a fresh worker runs, with the sweeper every fraction of a second
        fresh = start(env, log)
        try:
            finished = wait_until(lambda: all_sent(emails), 40, every=outbox_sweep.delay)
        finally:
            stop(fresh)
        assert finished, log.read_text()[-3000:]
    # Then every row is sent, each always with its own Message-ID
    assert_each_row_received_with_its_own_message_id(emails, sink)
    killed.refresh_from_db()
    assert killed.attempts == 2
    times = received_ids(sink)[killed.recipient]
    # Killed before the handoff: sent once. Killed after it: the repeat is the same message.
    assert times == [killed.message_id] * (1 if point == "before" else 2)
    others = [e for e in emails if e.pk != killed.pk]
    assert all(received_ids(sink)[e.recipient] == [e.message_id] for e in others)
