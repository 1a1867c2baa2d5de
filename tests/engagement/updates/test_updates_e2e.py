"""Progress updates end to end: a real Redis, a real Celery worker and two real beats
(django-celery-beat's DatabaseScheduler, in subprocesses, ticking every 2 s), and a real SMTP
server (aiosmtpd) that keeps every message it is handed.

200 parents fall due -> exactly 200 messages, one per parent, each to that parent's address
with that parent's child's goal (and no other family's), with the one-click unsubscribe headers
and the Message-ID of the parent's outbox row. The beats go on ticking and the tick is run twice
more by hand -> still 200 messages and 200 ProgressUpdate rows. A guardian with access none,
due as well, gets nothing.

PostgreSQL only: the worker and the beats are other processes and must see the test database
(SQLite's test database lives in this process's memory).
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from engagement.updates.models import ProgressUpdate, UpdatePreference
from goals.models import Goal, GoalRating, Perspective
from practice.models import CommunicationPolicy, OutgoingEmail, Practice
from tests.conftest import need
from tests.factories import (
    AgreementFactory,
    ChildFactory,
    ClinicianFactory,
    GoalFactory,
    GoalRatingFactory,
    GuardianshipFactory,
    ParentFactory,
    UpdatePreferenceFactory,
)
from tests.mailsink import MailSink

ROOT = Path(__file__).resolve().parents[3]
FAMILIES = 200
TICK = "engagement.updates.tasks.progress_updates_tick"
# Starts a Celery program (worker or beat) whose tasks go to this test's own queue, so another
# run sharing the Redis server never takes them, nor this one theirs.
LAUNCHER = """
import os, sys
import django
django.setup()
from practice.celery import app
app.conf.task_default_queue = os.environ["E2E_QUEUE"]
app.start(sys.argv[1:])
"""


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


def families(clinician, today, now):
    """FAMILIES parents due, each with a child, an active goal that names the family, and a
    clinician's rating of it in the period; and one guardian with access none, due too."""
    parents = []
    with transaction.atomic():
        for index in range(FAMILIES):
            parent = ParentFactory(
                email=f"e2e-parent-{index:03d}@test.example",
                full_name=f"Parent {index:03d}",
                last_login=now - datetime.timedelta(days=20),
                date_joined=now - datetime.timedelta(days=30),
            )
            child = ChildFactory(
                first_name=f"Kid{index:03d}", last_name="Family", clinician=clinician
            )
            AgreementFactory(child=child, sharing_level="full")
            GuardianshipFactory(child=child, guardian=parent)
            goal = GoalFactory(
                child=child,
                title=f"Builds a tower of blocks (family {index:03d})",
                domain=Goal.Domain.MOTOR,
                status=Goal.Status.ACTIVE,
                agreed_by=clinician,
                agreed_at=now - datetime.timedelta(days=25),
                proposer=clinician,
            )
            rating = GoalRatingFactory(
                goal=goal,
                level=0,
                rated_on=today - datetime.timedelta(days=2),
                source=GoalRating.Source.SESSION,
                perspective=Perspective.CLINICIAN,
                rated_by=clinician,
            )
            # Recorded two days ago: inside the period, which ends when the update fell due.
            GoalRating.objects.filter(pk=rating.pk).update(
                created_at=now - datetime.timedelta(days=2)
            )
            parents.append((parent, child, goal))
        barred = ParentFactory(
            email="e2e-barred@test.example",
            last_login=now - datetime.timedelta(days=20),
            date_joined=now - datetime.timedelta(days=30),
        )
        GuardianshipFactory(
            child=parents[0][1],
            guardian=barred,
            relationship="father",
            access="none",
            access_reason="Court order",
            court_order_reference="FD-E2E",
        )
        due = now - datetime.timedelta(minutes=5)
        UpdatePreference.objects.bulk_create(
            UpdatePreferenceFactory.build(
                parent=parent,
                cadence=CommunicationPolicy.Cadence.WEEKLY,
                weekday=now.weekday(),
                hour=0,
                first_login_at=now - datetime.timedelta(days=20),
                next_update_at=due,
            )
            for parent in [p for p, _, _ in parents] + [barred]
        )
    return parents, barred


def forget_queue(url: str, queue: str) -> None:
    """The test's queue and kombu's bindings of it go from Redis with the test."""
    import redis

    client = redis.Redis.from_url(url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def start(program: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, *program],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_200_due_parents_get_exactly_200_messages_with_their_own_content(tmp_path):
    need(
        connection.vendor == "postgresql",
        "needs PostgreSQL (DATABASE_URL): the Celery worker and beat run in other processes "
        "and must see the test database, which SQLite keeps in this process's memory",
    )
    redis_url = os.environ.get("REDIS_URL", "")
    need(bool(redis_url) and redis_reachable(redis_url), "needs a reachable Redis (REDIS_URL)")
    from engagement.updates.tasks import progress_updates_tick
    from practice.celery import app

    practice = Practice.get()
    # No quiet hours and no quiet weekends: the test runs at any hour of any day.
    CommunicationPolicy.objects.filter(practice=practice).update(
        quiet_hours_start=datetime.time(0, 0),
        quiet_hours_end=datetime.time(0, 0),
        quiet_on_weekends=False,
        email_detail=CommunicationPolicy.EmailDetail.FULL,
    )
    now = timezone.now()
    clinician = ClinicianFactory(full_name="Clara Field", email="e2e-clara@test.example")
    parents, barred = families(clinician, practice.today(), now)

    queue = f"e2e-progress-{uuid.uuid4().hex}"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}"
            f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "E2E_QUEUE": queue,
        "PROGRESS_TICK_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_USE_TLS": "false",
        "SITE_URL": settings.SITE_URL,
        "CONN_MAX_AGE": "0",
        "PYTHONPATH": str(ROOT),
    }
    with MailSink() as sink:
        env["EMAIL_PORT"] = str(sink.port)
        worker = [
            "worker",
            "--pool=prefork",
            "--concurrency=4",
            f"--queues={queue}",
            f"--hostname=e2e-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        # Two beats at once, as when a second beat is started by mistake: each sends every tick.
        beat = [
            "beat",
            "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval=1",
            "--loglevel=INFO",
        ]
        processes = [start(worker, env, tmp_path / "worker.log")]
        processes.append(start(beat, env, tmp_path / "beat-1.log"))
        time.sleep(1)  # the first beat creates the periodic tasks; the second reuses them
        processes.append(start(beat, env, tmp_path / "beat-2.log"))
        try:
            got_all = sink.wait_for(FAMILIES, 45)
            logs = "\n".join(
                f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(tmp_path.iterdir())
            )
            assert got_all, f"{len(sink.messages)} of {FAMILIES} messages arrived\n{logs}"
            # The beats tick on (every 2 s); and the tick twice by hand: through the worker,
            # and in this process (eager, so anything it queued would run here and show).
            app.send_task(TICK, queue=queue)
            eager = app.conf.task_always_eager
            app.conf.task_always_eager = True
            try:
                progress_updates_tick()
            finally:
                app.conf.task_always_eager = eager
            time.sleep(6)
        finally:
            stop(processes[::-1])  # the beats first: nothing is queued after the worker stops
            forget_queue(redis_url, queue)
        received = sink.messages

    # The tick ran again and again: every 2 s from each beat, and once more by hand.
    worker_log = (tmp_path / "worker.log").read_text()
    assert worker_log.count(f"{TICK}[") >= 2 * 4, worker_log[-3000:]
    for name in ("beat-1.log", "beat-2.log"):
        assert "Sending due task progress-updates" in (tmp_path / name).read_text()
    assert mail.outbox == []
    assert len(received) == FAMILIES
    assert (
        ProgressUpdate.objects.count()
        == FAMILIES + ProgressUpdate.objects.filter(parent=barred).count()
    )
    assert not ProgressUpdate.objects.filter(parent=barred, email__isnull=False).exists()
    assert not OutgoingEmail.objects.filter(recipient=barred.email).exists()
    by_recipient = {}
    for message in received:
        assert message["To"] not in by_recipient, f"two messages to {message['To']}"
        by_recipient[message["To"]] = message
    assert barred.email not in by_recipient
    markers = [f"(family {index:03d})" for index in range(FAMILIES)]
    for index, (parent, child, goal) in enumerate(parents):
        message = by_recipient[parent.email]
        update = ProgressUpdate.objects.select_related("email").get(parent=parent)
        assert update.email.state == OutgoingEmail.State.SENT
        assert message["Message-ID"] == update.email.message_id
        # The parent's own signed link, as stored on the row (a long header comes folded).
        assert message["List-Unsubscribe"].strip() == update.email.headers["List-Unsubscribe"]
        assert update.email.headers["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/")
        assert message["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        for body in (text, html):
            assert goal.title in body, (parent.email, body[:2000])
            assert child.first_name in body
            others = [m for other, m in enumerate(markers) if other != index and m in body]
            assert others == [], (parent.email, others)
