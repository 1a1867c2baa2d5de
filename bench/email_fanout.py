"""The email fan-out figure: progress emails rendered and handed to a local SMTP server per
second, for 5,000 due parents, beside the raw SMTP rate of pre-rendered messages in the same run.

1. 5,000 families made with bulk_create (addresses @scale.example, so `make bench` may drop
   them next time): a parent due now, one child (care team, a confidentiality agreement at
   level full), two active goals each rated by the clinician in the period, a signed session
   in the period with a summary for the family, home practice and the next session.
2. An SMTP server (aiosmtpd) on 127.0.0.1 in a process of its own, counting what it accepts.
3. The fan-out: engagement.updates.tasks.progress_updates_tick and the render+send chunks it
   queues, run in this process (Celery eager, no broker: it measures our code, not Redis),
   until every due parent's message is received: messages/s.
4. The raw rate: the same messages, rendered already, handed over Django's SMTP backend in
   the outbox's chunks (OUTBOX_CHUNK_SIZE messages per connection): messages/s.
5. The ratio, fan-out over raw (target at least 0.5).

`make bench` runs it after the pages (bench/run.py), on the same database, and writes the
figures into the bench JSON under "email_fanout". On its own:

    python bench/email_fanout.py [--parents 5000]   # DATABASE_URL, or a fresh SQLite file
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "scale.example"  # bench/run.py drops a database that holds only these
PARENTS = 5000
PARENT_PREFIX = "fanout-parent-"
TARGET_RATIO = 0.5


# --- the SMTP server, in a process of its own (it must not share this process's CPU) --------


def _serve(port, received, size, ready, stop) -> None:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

    class Count:
        async def handle_DATA(self, server, session, envelope):
            size.value += len(envelope.content)
            received.value += 1  # only this process writes
            return "250 Message accepted for delivery"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class SmtpSink:
    """aiosmtpd on a free loopback port in a spawned process; `received` counts messages."""

    def __enter__(self):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._received = context.Value("q", 0, lock=False)
        self._size = context.Value("q", 0, lock=False)
        self._ready, self._stop = context.Event(), context.Event()
        self._process = context.Process(
            target=_serve,
            args=(self.port, self._received, self._size, self._ready, self._stop),
            daemon=True,
        )
        self._process.start()
        if not self._ready.wait(30):
            raise RuntimeError("bench: the SMTP server did not start")
        return self

    @property
    def received(self) -> int:
        return self._received.value

    @property
    def bytes(self) -> int:
        return self._size.value

    def __exit__(self, *exc):
        self._stop.set()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


# --- the due families ------------------------------------------------------------------------


def make_due_parents(count: int, batch: int = 1000) -> int:
    """`count` families, each with one parent due now; returns the number of due parents."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from engagement.practice_at_home.models import HomePractice
    from engagement.updates.models import UpdatePreference
    from engagement.visits.models import SessionLog
    from goals.models import Goal, GoalRating, Perspective
    from practice.models import (
        CareTeamMembership,
        Child,
        CommunicationPolicy,
        ConfidentialityAgreement,
        Guardianship,
        Practice,
        SharingLevel,
        Stage,
        User,
    )

    def bulk(model, rows):
        return model.objects.bulk_create(rows, batch_size=batch)

    practice = Practice.get()
    today, now = practice.today(), timezone.now()
    # No quiet hours and no quiet weekends: the figure must not depend on the hour it runs.
    CommunicationPolicy.objects.filter(practice=practice).update(
        quiet_hours_start=datetime.time(0, 0),
        quiet_hours_end=datetime.time(0, 0),
        quiet_on_weekends=False,
        email_detail=CommunicationPolicy.EmailDetail.FULL,
    )
    password = make_password("fanout-bench-2026")
    first_login = now - datetime.timedelta(days=40)
    in_period = now - datetime.timedelta(days=2)
    with transaction.atomic():
        clinicians = bulk(
            User,
            [
                User(
                    email=f"fanout-clinician-{n:03d}@{DOMAIN}",
                    full_name=f"Dr Fanout {n:03d}",
                    role=User.Role.CLINICIAN,
                    discipline=User.Discipline.PSYCHOLOGY,
                    password=password,
                    is_demo=True,
                )
                for n in range(max(1, count // 50))
            ],
        )
        parents = bulk(
            User,
            [
                User(
                    email=f"{PARENT_PREFIX}{n:05d}@{DOMAIN}",
                    full_name=f"Sam Fanout{n:05d}",
                    role=User.Role.PARENT,
                    password=password,
                    last_login=first_login,
                    date_joined=first_login,
                    is_demo=True,
                )
                for n in range(count)
            ],
        )
        children = bulk(
            Child,
            [
                Child(
                    first_name=f"Robin{n:05d}",
                    last_name="Fanout",
                    date_of_birth=today - datetime.timedelta(days=7 * 365 + n % 900),
                    stage=Stage.PROCESS,
                    is_demo=True,
                )
                for n in range(count)
            ],
        )
        clinician_of = {
            child.pk: clinicians[n % len(clinicians)] for n, child in enumerate(children)
        }
        bulk(
            CareTeamMembership,
            [
                CareTeamMembership(child=child, clinician=clinician_of[child.pk], is_primary=True)
                for child in children
            ],
        )
        bulk(
            ConfidentialityAgreement,
            [
                ConfidentialityAgreement(
                    child=child,
                    version=1,
                    sharing_level=SharingLevel.FULL,
                    effective_date=today - datetime.timedelta(days=90),
                    recorded_by=clinician_of[child.pk],
                )
                for child in children
            ],
        )
        bulk(
            Guardianship,
            [
                Guardianship(child=child, guardian=parent, relationship="mother")
                for child, parent in zip(children, parents, strict=True)
            ],
        )
        goals = bulk(
            Goal,
            [
                Goal(
                    child=child,
                    title=title,
                    domain=domain,
                    measurement="Parent and clinician observation over a week.",
                    level_0="Happens with one prompt on most days.",
                    status=Goal.Status.ACTIVE,
                    proposer=clinician_of[child.pk],
                    agreed_by=clinician_of[child.pk],
                    agreed_at=now - datetime.timedelta(days=60),
                )
                for child in children
                for title, domain in (
                    ("Asks for help with words when stuck", Goal.Domain.COMMUNICATION),
                    ("Uses a calming strategy when upset", Goal.Domain.EMOTIONAL_REGULATION),
                )
            ],
        )
        bulk(
            GoalRating,
            [
                GoalRating(
                    goal=goal,
                    level=n % 3 - 1,
                    rated_on=today - datetime.timedelta(days=1 + n % 5),
                    source=GoalRating.Source.SESSION,
                    perspective=Perspective.CLINICIAN,
                    rated_by=clinician_of[goal.child_id],
                    note="Managed it twice without a prompt.",
                )
                for n, goal in enumerate(goals)
            ],
        )
        # Recorded in the period (auto_now_add stamped them now, after it ended).
        GoalRating.objects.filter(rated_by__in=clinicians).update(created_at=in_period)
        bulk(
            HomePractice,
            [
                HomePractice(
                    child_id=goal.child_id,
                    goal=goal,
                    title="Name the feeling, then take three slow breaths together",
                    instructions="Once a day, when things are calm, practise it for a minute.",
                    until=today + datetime.timedelta(days=30),
                    assigned_by=clinician_of[goal.child_id],
                    assigned_at=in_period,
                )
                for goal in goals[1::2]
            ],
        )
        sessions = []
        for child in children:
            last = (now - datetime.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
            sessions.append(
                SessionLog(
                    child=child,
                    clinician=clinician_of[child.pk],
                    scheduled_start=last,
                    status=SessionLog.Status.ATTENDED,
                    duration_minutes=50,
                    stage=Stage.PROCESS,
                    shared_summary="We practised asking for help with a picture card; "
                    "it went well by the end of the session.",
                    summary_shared=True,
                    signed_at=last + datetime.timedelta(hours=2),
                    signed_by=clinician_of[child.pk],
                )
            )
            sessions.append(
                SessionLog(
                    child=child,
                    clinician=clinician_of[child.pk],
                    scheduled_start=last + datetime.timedelta(days=7),
                )
            )
        bulk(SessionLog, sessions)
        due = now - datetime.timedelta(minutes=1)
        bulk(
            UpdatePreference,
            [
                UpdatePreference(
                    parent=parent,
                    cadence=CommunicationPolicy.Cadence.WEEKLY,
                    weekday=now.weekday(),
                    hour=0,
                    first_login_at=first_login,
                    next_update_at=due,
                )
                for parent in parents
            ],
        )
    return len(parents)


def settle() -> None:
    """Fresh planner statistics on PostgreSQL after the bulk load, as autovacuum would make."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


# --- the two measurements ----------------------------------------------------------------


def _send_chunk(update_ids: list[int]) -> int:
    """One render+send task, as a worker process runs it."""
    from engagement.updates.tasks import progress_updates_send

    return progress_updates_send(update_ids)


def _pool(processes: int):
    """A pool of forked processes, as Celery's prefork worker with `processes` concurrency;
    each opens its own database connection."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    return multiprocessing.get_context("fork").Pool(processes)


def fan_out(sink: SmtpSink, due: int, processes: int = 1, timeout: float = 600) -> float:
    """Seconds from the first tick until every due parent's message is received: the ticks
    and the render+send chunks they queue (Celery eager, no broker). With `processes` > 1 the
    chunks run in that many forked processes, as a prefork worker with that concurrency."""
    from engagement.updates import tasks
    from practice.celery import app

    before = sink.received
    eager = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    queued: list[list[int]] = []
    enqueue = tasks._enqueue
    pool = _pool(processes) if processes > 1 else None
    if pool:
        tasks._enqueue = queued.append
    try:
        started = time.perf_counter()
        while sink.received - before < due:
            if time.perf_counter() - started > timeout:
                raise RuntimeError(
                    f"bench: only {sink.received - before} of {due} progress emails arrived "
                    f"in {timeout:.0f} s"
                )
            tasks.progress_updates_tick()
            if pool:
                pool.map(_send_chunk, queued, chunksize=1)
                queued.clear()
        return time.perf_counter() - started
    finally:
        tasks._enqueue = enqueue
        if pool:
            pool.close()
            pool.join()
        app.conf.task_always_eager, app.conf.task_eager_propagates = eager


def pre_rendered() -> list:
    """The progress emails just sent, as ready messages (same sizes, same headers)."""
    from django.core.mail import EmailMultiAlternatives

    from practice.models import OutgoingEmail

    rows = OutgoingEmail.objects.filter(
        kind=OutgoingEmail.Kind.PROGRESS_UPDATE,
        state=OutgoingEmail.State.SENT,
        recipient__startswith=PARENT_PREFIX,
    ).order_by("pk")
    messages = []
    for row in rows:
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body_text,
            to=[row.recipient],
            headers={**row.headers, "Message-ID": row.message_id},
        )
        if row.body_html:
            message.attach_alternative(row.body_html, "text/html")
        messages.append(message)
    return messages


_RAW: list = []  # the pre-rendered messages, inherited by forked senders


def _raw_chunk(bounds: tuple[int, int]) -> None:
    from django.core.mail import get_connection

    with get_connection() as smtp:
        smtp.send_messages(_RAW[bounds[0] : bounds[1]])


def raw_smtp(sink: SmtpSink, messages: list, chunk: int, processes: int = 1) -> float:
    """Seconds to hand the messages over Django's SMTP backend, `chunk` per connection, from
    `processes` senders at once."""
    _RAW[:] = messages
    bounds = [(start, start + chunk) for start in range(0, len(messages), chunk)]
    pool = _pool(processes) if processes > 1 else None
    before = sink.received
    started = time.perf_counter()
    if pool:
        pool.map(_raw_chunk, bounds, chunksize=1)
    else:
        for pair in bounds:
            _raw_chunk(pair)
    seconds = time.perf_counter() - started
    if pool:
        pool.close()
        pool.join()
    if sink.received - before != len(messages):
        raise RuntimeError(f"bench: {sink.received - before} of {len(messages)} raw received")
    return seconds


def due_again() -> None:
    """The next round starts where the first did: every bench parent due, nothing sent."""
    from django.db import transaction
    from django.utils import timezone

    from engagement.updates.models import ProgressUpdate, UpdatePreference
    from practice.models import OutgoingEmail

    with transaction.atomic():
        ProgressUpdate.objects.filter(parent__email__startswith=PARENT_PREFIX).delete()
        OutgoingEmail.objects.filter(recipient__startswith=PARENT_PREFIX).delete()
        UpdatePreference.objects.filter(parent__email__startswith=PARENT_PREFIX).update(
            next_update_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    settle()


def timed(function, *args) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(
    parents: int = PARENTS, rounds: int = 3, wait_idle: float = 0, processes: int = 1
) -> dict:
    """Make the due families; then, `rounds` times, the fan-out and the raw rate against one
    SMTP server. Each keeps its best round (the least disturbed, as for the pages); on a
    shared machine `wait_idle` waits up to that many seconds for an idle CPU before each."""
    from django.conf import settings
    from django.test.utils import override_settings
    from serve import wait_for_idle  # bench/serve.py

    started = time.monotonic()
    due = make_due_parents(parents)
    settle()
    print(f"bench: {due} due parents made in {time.monotonic() - started:.1f} s")
    chunk = settings.OUTBOX_CHUNK_SIZE
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }
    fanout, raw, message_bytes = [], [], 0
    with SmtpSink() as sink, override_settings(EMAIL_PORT=sink.port, **smtp):
        for round_number in range(1, rounds + 1):
            if round_number > 1:
                due_again()
            if wait_idle:
                wait_for_idle(wait_idle)
            before = sink.bytes
            fanout.append(timed(fan_out, sink, due, processes))
            message_bytes = (sink.bytes - before) / due
            messages = pre_rendered()
            if len(messages) != due:
                raise RuntimeError(f"bench: {len(messages)} of {due} progress emails were sent")
            if wait_idle:
                wait_for_idle(wait_idle)
            raw.append(timed(raw_smtp, sink, messages, chunk, processes))
            print(
                f"bench: round {round_number} fan-out {due / fanout[-1][0]:6.1f} messages/s, "
                f"raw SMTP {due / raw[-1][0]:6.1f} messages/s"
            )
    fanout_wall, fanout_cpu = min(fanout)
    raw_wall, raw_cpu = min(raw)
    return {
        "due_parents": due,
        "rounds": rounds,
        "wait_idle_seconds": wait_idle,
        "average_message_bytes": round(message_bytes),
        "chunk_size": chunk,
        "processes": processes,
        "raw_smtp_per_s": round(due / raw_wall, 1),
        "fanout_per_s": round(due / fanout_wall, 1),
        "ratio_to_raw": round(raw_wall / fanout_wall, 3),
        "target_ratio": TARGET_RATIO,
        "raw_smtp_cpu_ms_per_message": round(raw_cpu * 1000 / due, 2),
        "fanout_cpu_ms_per_message": round(fanout_cpu * 1000 / due, 2),
        "rounds_per_s": {
            "fanout": [round(due / wall, 1) for wall, _ in fanout],
            "raw_smtp": [round(due / wall, 1) for wall, _ in raw],
        },
        "how": "aiosmtpd on 127.0.0.1 in its own process; fan-out = progress_updates_tick and "
        "the render+send chunks it queues, Celery eager in one process, from the first tick "
        "until every message is received; raw = the same messages pre-rendered, over Django's "
        "SMTP backend, chunk_size per connection; best round of each; CPU = this process's",
    }


def summary(result: dict) -> str:
    verdict = "meets" if result["ratio_to_raw"] >= TARGET_RATIO else "BELOW"
    return (
        f"email fan-out, {result['due_parents']} due parents "
        f"(~{result['average_message_bytes'] / 1024:.1f} KiB a message, "
        f"{result['chunk_size']} per SMTP connection): raw SMTP {result['raw_smtp_per_s']:.0f} "
        f"messages/s, progress emails {result['fanout_per_s']:.0f} messages/s, ratio "
        f"{result['ratio_to_raw']:.2f} ({verdict} the target {TARGET_RATIO}); best of "
        f"{result['rounds']}; CPU ms a message {result['raw_smtp_cpu_ms_per_message']:.2f} raw, "
        f"{result['fanout_cpu_ms_per_message']:.2f} fan-out"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parents", type=int, default=int(os.environ.get("BENCH_DUE_PARENTS", PARENTS))
    )
    parser.add_argument(
        "--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "3")), help="best of N"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=float(os.environ.get("BENCH_WAIT_IDLE", "0")),
        help="on a shared machine, wait up to this many seconds for an idle CPU before each",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("BENCH_FANOUT_PROCESSES", "1")),
        help="senders at once, for both figures (a prefork worker's concurrency)",
    )
    args = parser.parse_args()
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        database = bench_dir / "fanout.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
    os.environ.setdefault("SECRET_KEY", "bench-fanout-not-secret")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    sys.path.insert(0, str(ROOT / "bench"))
    from run import fresh_database  # refuses a database that holds anything but a bench

    fresh_database(wipe=False)
    call_command("migrate", interactive=False, verbosity=0)
    load_before = os.getloadavg()
    result = measure(args.parents, args.rounds, args.wait_idle, args.processes)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "database": connection.vendor,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "email_fanout": result,
    }
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    results = ROOT / "bench" / "results"
    text = json.dumps(result, indent=2) + "\n"
    (results / f"{stamp}-fanout-{connection.vendor}.json").write_text(text)
    (results / f"latest-fanout-{connection.vendor}.json").write_text(text)
    print(summary(result["email_fanout"]))


if __name__ == "__main__":
    main()
