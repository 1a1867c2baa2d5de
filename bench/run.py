"""`make bench`: the key pages under load at practice scale, against the bare view's ceiling,
at the seed_scale sizes (1x) and at three times every size (3x).

For each size (--sizes, BENCH_SIZES; default 1,3):
1. A fresh database: var/bench/bench.sqlite3, or DATABASE_URL when it is set (its tables are
   dropped first, but only if it holds nothing but a previous benchmark; --wipe overrides).
2. migrate, seed_scale (every size times the factor; the bench clinician's caseload stays 60
   children, and a second clinician has 180), collectstatic, all with production settings.
3. gunicorn (2 workers) on a free loopback port; logs in as the bench clinicians and the bench
   parent through the real login form.
4. wrk on each page for a few seconds; queries per request counted in-process (Django's test
   client, a connection.execute_wrapper counter), same database, same session cookie.
After the first size, once: the email fan-out (bench/email_fanout.py): 5,000 more parents due,
their progress emails rendered and handed to a local SMTP server per second, beside the raw
SMTP rate. Then a table on stdout, each size's figures side by side; JSON with every size in
bench/results/<timestamp>-<vendor>.json and latest-<vendor>.json.

Options (see --help): --sizes (BENCH_SIZES), --small (BENCH_SMALL=1), --duration
(BENCH_DURATION), --rounds (BENCH_ROUNDS; each page keeps its best round), --wait-idle
(BENCH_WAIT_IDLE: on a shared machine, wait for an idle CPU before each page), --connections,
--threads, --workers, the 1x sizes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import email_fanout  # bench/email_fanout.py
from serve import (
    check_page,
    cpu_seconds_between,
    login,
    run_wrk,
    server_cpu,
    start_server,
    stop_server,
    wait_for_idle,
)  # bench/serve.py

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
FULL = {
    "clinicians": 100,
    "children": 3000,
    "guardians": 5000,
    "goals": 10_000,
    "sessions": 150_000,
}
SMALL = {size: count // 10 for size, count in FULL.items()}


def parse_args() -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small",
        action="store_true",
        default=env("BENCH_SMALL") == "1",
        help="a tenth of every size, for a quick run (or BENCH_SMALL=1)",
    )
    parser.add_argument(
        "--duration", type=int, default=int(env("BENCH_DURATION", "5")), help="seconds per page"
    )
    parser.add_argument(
        "--connections", type=int, default=int(env("BENCH_CONNECTIONS", "4")), help="wrk -c"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument(
        "--rounds", type=int, default=int(env("BENCH_ROUNDS", "3")), help="best of N per page"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=float(env("BENCH_WAIT_IDLE", "0")),
        help="on a shared machine, wait up to this many seconds before each page for the CPU "
        "to be 90%% idle",
    )
    for size, count in FULL.items():
        parser.add_argument(f"--{size}", type=int, help=f"seed_scale size (default {count})")
    parser.add_argument(
        "--due-parents",
        type=int,
        default=int(env("BENCH_DUE_PARENTS")) if env("BENCH_DUE_PARENTS") else None,
        help="parents due a progress email for the fan-out figure (default 5000; 0 skips it)",
    )
    parser.add_argument(
        "--sizes",
        default=env("BENCH_SIZES", "1,3"),
        help="the data sizes to measure, as factors of the seed_scale sizes, comma-separated "
        "(default 1,3; or BENCH_SIZES=1 for the 1x figures alone)",
    )
    parser.add_argument("--wipe", action="store_true", help="drop DATABASE_URL's tables anyway")
    args = parser.parse_args()
    try:
        args.sizes = [int(factor) for factor in args.sizes.split(",") if factor.strip()]
    except ValueError:
        parser.error(f"--sizes takes whole factors such as 1,3, not {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs at least one factor of 1 or more")
    sizes = SMALL if args.small else FULL
    if args.due_parents is None:
        args.due_parents = 500 if args.small else 5000
    for size, default in sizes.items():
        if getattr(args, size) is None:
            setattr(args, size, default)
    return args


def bench_env() -> dict[str, str]:
    """Production settings on loopback: DEBUG off, no HTTPS redirect, no secure-only cookies."""
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"
    return {
        "DATABASE_URL": database,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "BENCH_BARE_VIEW": "true",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "practice.settings",
    }


def fresh_database(wipe: bool) -> None:
    """Drop every table, but only when the database holds nothing but a previous benchmark."""
    from django.db import connection

    tables = connection.introspection.table_names()
    if not tables:
        return
    if "practice_user" in tables and not wipe:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM practice_user WHERE email NOT LIKE %s", ["%@scale.example"]
            )
            others = cursor.fetchone()[0]
        if others:
            sys.exit(
                f"bench: {connection.settings_dict['NAME']} holds {others} users that are not "
                "the benchmark's. The benchmark needs a fresh database: point DATABASE_URL at "
                "an empty one (or pass --wipe to drop its tables anyway)."
            )
    print(f"bench: dropping the {len(tables)} tables of the previous benchmark run")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            suffix = " CASCADE" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table)}{suffix}")


def settle() -> None:
    """Steady state before measuring, as a database in service would be: PostgreSQL vacuumed
    and analysed (or autovacuum would start on the fresh tables mid-run); SQLite's write-ahead
    log folded into the database file."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in connection.introspection.table_names():
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def family_goal_for(parent):
    """A goal the bench parent may see (through the access module, as the portal does)."""
    from goals.selectors import visible_goals
    from practice.access import children_for, policy_for

    for child in children_for(parent).order_by("pk"):
        goals = visible_goals(policy_for(parent, child), child).filter(status="active")
        goal = goals.order_by("pk").first()
        if goal is not None:
            return goal
    return None


def prepare(sizes: dict[str, int], wipe: bool) -> dict:
    """Fresh database, migrate, seed, collect static; returns the ids of the pages' children."""
    from django.core.management import call_command

    from engagement.management.commands.seed_scale import BENCH_LONG_CLINICIAN
    from engagement.visits.models import SessionLog
    from goals.models import Goal, GoalRating
    from practice.models import Child, Guardianship, User

    fresh_database(wipe)
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"bench: migrated in {time.monotonic() - started:.1f} s")
    call_command("seed_scale", **sizes)
    call_command("collectstatic", interactive=False, verbosity=0)
    settle()
    clinician = User.objects.get(email="bench-clinician@scale.example")
    parent = User.objects.get(email="bench-parent@scale.example")
    child = (
        Child.objects.filter(memberships__clinician=clinician, discharged_on__isnull=True)
        .order_by("last_name", "first_name")
        .first()
    )
    portal_child = Guardianship.objects.filter(guardian=parent).order_by("child_id").first()
    goal = Goal.objects.filter(child=child, status="active").order_by("pk").first()
    session = (
        SessionLog.objects.filter(child=child, signed_at__isnull=False)
        .order_by("-scheduled_start")
        .first()
    )
    family_goal = family_goal_for(parent)
    long_clinician = User.objects.filter(email=BENCH_LONG_CLINICIAN).first()
    return {
        "long_caseload": long_clinician.memberships.count() if long_clinician else 0,
        "child_id": child.pk,
        "portal_child_id": portal_child.child_id,
        "goal_id": goal.pk if goal else None,
        "session_id": session.pk if session else None,
        "family_goal_id": family_goal.pk if family_goal else None,
        "sizes": {
            "clinicians": User.objects.filter(role=User.Role.CLINICIAN).count(),
            "children": Child.objects.count(),
            "guardians": User.objects.filter(role=User.Role.PARENT).count(),
            "guardianships": Guardianship.objects.count(),
            "goals": Goal.objects.count(),
            "goal_ratings": GoalRating.objects.count(),
            "session_logs": SessionLog.objects.count(),
            "bench_caseload": clinician.memberships.count(),
            "long_caseload": long_clinician.memberships.count() if long_clinician else 0,
            "bench_parent_children": parent.guardianships.count(),
        },
    }


def in_process(path: str, cookies: dict[str, str]) -> tuple[int, float]:
    """SQL queries of one request and its best time of ten (ms), in-process: the test client
    with the same session cookie. The best time is what the page costs when nothing competes
    for the CPU; wrk's figures include HTTP, gunicorn and whatever else the machine is doing."""
    from django.db import connection
    from django.test import Client

    client = Client()
    for name, value in cookies.items():
        client.cookies[name] = value
    client.get(path)  # warm: the first request of a process loads what later ones reuse
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(10):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    return len(executed), round(min(times) * 1000, 2)


def database_backends() -> frozenset[int]:
    """PostgreSQL: the backend processes of the other connections to the benchmark database
    (gunicorn's workers keep theirs open, CONN_MAX_AGE)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return frozenset()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return frozenset(row[0] for row in cursor.fetchall())


def measure(pages, base, args, server_pid: int) -> list[dict]:
    """Each page in turn, `rounds` times; a page keeps its best round (the least disturbed)."""
    rows = {}
    for _, _, path, cookies in pages:
        check_page(base, path, cookies)
    for round_number in range(1, args.rounds + 1):
        for name, role, path, cookies in pages:
            row = rows.setdefault(name, {"page": name, "role": role, "path": path})
            queries, best_ms = in_process(path, cookies)
            row["queries"] = queries
            row["in_process_ms"] = min(best_ms, row.get("in_process_ms", best_ms))
            idle = wait_for_idle(args.wait_idle) if args.wait_idle else None
            run_wrk(base + path, cookies, args, 1)  # warm both workers
            seconds = args.duration
            while True:  # a page too slow to answer within the duration gets more time
                cpu_before = server_cpu(server_pid, database_backends())
                stats = run_wrk(base + path, cookies, args, seconds)
                cpu_after = server_cpu(server_pid, database_backends())
                if stats["requests"] or seconds >= 8 * args.duration:
                    break
                seconds *= 2
            if not stats["requests"]:
                sys.exit(f"bench: {path} answered no request in {seconds} s")
            cpu_ms = cpu_seconds_between(cpu_before, cpu_after) * 1000 / stats["requests"]
            row["cpu_ms"] = round(min(cpu_ms, row.get("cpu_ms", cpu_ms)), 2)
            latency = stats["latency_us"]
            rate = round(stats["requests"] / (stats["duration_us"] / 1e6), 1)
            print(f"bench: round {round_number} {name:14} {rate:8.1f} req/s (cpu idle {idle})")
            if rate > row.get("requests_per_s", 0):
                row.update(
                    requests_per_s=rate,
                    p50_ms=round(latency["p50"] / 1000, 2),
                    p95_ms=round(latency["p95"] / 1000, 2),
                    p99_ms=round(latency["p99"] / 1000, 2),
                    requests=stats["requests"],
                    errors=stats["socket_errors"] + stats["bad_status"],
                    cpu_idle_before=idle,
                )
    result = list(rows.values())
    for row in result:  # each page against the bare view of the same kind of session
        bare = next(r for r in result if r["page"].startswith("bare") and r["role"] == row["role"])
        row["ratio_to_bare"] = round(row["requests_per_s"] / bare["requests_per_s"], 3)
        row["cpu_ratio_to_bare"] = round(bare["cpu_ms"] / row["cpu_ms"], 3)
    return result


def side_by_side(runs: list[dict]) -> str:
    """One row a page, each size's ratios beside the others', then queries and in-process ms
    (as 1x/3x): how a page holds up when the data grows."""
    labels = [f"{run['scale']}x" for run in runs]
    by_size = [{row["page"]: row for row in run["pages"]} for run in runs]
    names = list(dict.fromkeys(row["page"] for run in runs for row in run["pages"]))
    header = ["page"]
    for label in labels:
        header += [f"{label} req/s ratio", f"{label} CPU ratio"]
    header += [f"queries {'/'.join(labels)}", f"in-process ms {'/'.join(labels)}"]
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for name in names:
        rows = [pages.get(name) for pages in by_size]
        cells = [name]
        for row in rows:
            cells += (
                [f"{row['ratio_to_bare']:.2f}", f"{row['cpu_ratio_to_bare']:.2f}"]
                if row
                else ["–", "–"]
            )
        cells.append("/".join(str(row["queries"]) if row else "–" for row in rows))
        cells.append("/".join(f"{row['in_process_ms']:.1f}" if row else "–" for row in rows))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(rows: list[dict]) -> str:
    lines = [
        "| page | requests/s | p50 ms | p95 ms | queries | ratio to bare | CPU ms/request "
        "| CPU ratio to bare | in-process ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['page']} | {r['requests_per_s']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} "
            f"| {r['queries']} | {r['ratio_to_bare']:.2f} | {r['cpu_ms']:.1f} "
            f"| {r['cpu_ratio_to_bare']:.2f} | {r['in_process_ms']:.1f} |"
        )
    return "\n".join(lines)


def pages_of(info: dict, base: str) -> list[tuple[str, str, str, dict]]:
    """The pages to measure, with the session cookies of who opens them (logged in through the
    real form of the server at `base`)."""
    from engagement.management.commands.seed_scale import (
        BENCH_CLINICIAN,
        BENCH_LONG_CLINICIAN,
        BENCH_PARENT,
        PASSWORD,
    )

    clinician = login(base, BENCH_CLINICIAN, PASSWORD)
    parent = login(base, BENCH_PARENT, PASSWORD)
    pages = [
        ("bare (staff)", "clinician", "/bench/bare/", clinician),
        ("caseload", "clinician", "/caseload/", clinician),
        ("child page", "clinician", f"/children/{info['child_id']}/", clinician),
        ("bare (parent)", "parent", "/bench/bare/", parent),
        ("portal home", "parent", "/portal/", parent),
        ("portal child", "parent", f"/portal/children/{info['portal_child_id']}/", parent),
        ("portal messages", "parent", "/portal/messages/", parent),
        ("about you", "parent", "/portal/about-you/", parent),
    ]
    if info["long_caseload"]:
        long_clinician = login(base, BENCH_LONG_CLINICIAN, PASSWORD)
        name = f"caseload ({info['long_caseload']} children)"
        pages.insert(2, (name, "clinician", "/caseload/", long_clinician))
    # The goal and session pages, where the data has them.
    for name, role, path, key in [
        ("goal page", "clinician", "/goals/{}/", "goal_id"),
        ("session page", "clinician", "/sessions/{}/", "session_id"),
        ("goal page (parent)", "parent", "/goals/{}/", "family_goal_id"),
    ]:
        if info[key]:
            cookie = clinician if role == "clinician" else parent
            at = next(i for i, page in enumerate(pages) if page[0] == "bare (parent)")
            at = at if role == "clinician" else len(pages)
            pages.insert(at, (name, role, path.format(info[key]), cookie))
    return pages


def run_size(args, env: dict, scale: int, first: bool) -> dict:
    """One data size: a fresh database seeded at `scale` times every size, the server, every
    page measured."""
    from django.db import connections

    sizes = {size: getattr(args, size) * scale for size in FULL}
    print(f"bench: {scale}x: " + ", ".join(f"{count} {size}" for size, count in sizes.items()))
    # After the first size the database holds only this run's benchmark (and its fan-out).
    info = prepare(sizes, wipe=args.wipe or not first)
    connections.close_all()
    load_before = os.getloadavg()
    server, base = start_server(env, args.workers)
    try:
        rows = measure(pages_of(info, base), base, args, server.pid)
    finally:
        connections.close_all()
        stop_server(server)
    return {
        "scale": scale,
        "sizes": info["sizes"],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "pages": rows,
    }


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit(
            "bench: wrk is not installed. Install it once with `apt-get install -y wrk` "
            "(Debian package wrk), then run `make bench` again."
        )
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DIR / 'bench.sqlite3'}{suffix}").unlink(missing_ok=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    vendor = connection.vendor
    print(f"bench: {vendor} database {connection.settings_dict['NAME']}")
    load_before = os.getloadavg()
    started = time.monotonic()
    runs, fanout = [], None
    for index, scale in enumerate(args.sizes):
        runs.append(run_size(args, env, scale, first=index == 0))
        if index == 0 and args.due_parents:  # measured once, at the first size
            print(f"bench: email fan-out for {args.due_parents} due parents")
            fanout = email_fanout.measure(args.due_parents, args.rounds, args.wait_idle)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "database": vendor,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "minutes": round((time.monotonic() - started) / 60, 1),
        "load": {
            "tool": "wrk",
            "threads": args.threads,
            "connections": args.connections,
            "seconds_per_page": args.duration,
            "rounds": args.rounds,
            "wait_idle_seconds": args.wait_idle,
            "gunicorn_workers": args.workers,
        },
        "queries_measured": "in-process, Django test client + connection.execute_wrapper, same DB",
        "in_process_ms": "best of 10 in-process requests a round, over all rounds",
        "cpu_ms": "CPU time per request under wrk of gunicorn's processes and (PostgreSQL) "
        "their database backends, best round",
        "scales": args.sizes,
        "runs": runs,
        "email_fanout": fanout,
    }
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(result, indent=2) + "\n"
    (RESULTS / f"{stamp}-{vendor}.json").write_text(text)
    (RESULTS / f"latest-{vendor}.json").write_text(text)
    for run in runs:
        sizes = run["sizes"]
        print(
            f"\n{run['scale']}x, {vendor}, {os.cpu_count()} cores: {sizes['clinicians']} "
            f"clinicians, {sizes['children']} children, {sizes['guardians']} guardians, "
            f"{sizes['goals']} goals, {sizes['session_logs']} session logs; caseload "
            f"{sizes['bench_caseload']} (and {sizes['long_caseload']}); wrk -t{args.threads} "
            f"-c{args.connections} -d{args.duration}s, best of {args.rounds}; gunicorn -w "
            f"{args.workers}; load average {run['load_average_before'][0]:.1f} before"
        )
        print(table(run["pages"]))
    if len(runs) > 1:
        print("\nEach size beside the others (ratios to the bare view of the same size):")
        print(side_by_side(runs))
    if fanout:
        print("\n" + email_fanout.summary(fanout))
    print(f"\nbench: wrote bench/results/{stamp}-{vendor}.json (and latest-{vendor}.json)")


if __name__ == "__main__":
    main()
