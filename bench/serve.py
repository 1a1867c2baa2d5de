"""The benchmark's HTTP side: gunicorn on a free loopback port, the real login form, wrk."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "var" / "bench" / "gunicorn.log"
LUA = ROOT / "bench" / "report.lua"
GUNICORN = Path(sys.executable).parent / "gunicorn"  # the venv running the benchmark


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def start_server(env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(LOG, "w")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        [str(GUNICORN), "practice.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"bench: gunicorn exited; see {LOG}")
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=10).read()
            return server, base
        except OSError:  # refused while booting, or a timeout on a busy machine
            time.sleep(0.3)
    stop_server(server)
    sys.exit("bench: gunicorn did not answer within 90 s")


def stop_server(server: subprocess.Popen) -> None:
    """SIGQUIT is gunicorn's quick shutdown; if even that hangs, kill its workers, then it."""
    server.send_signal(signal.SIGQUIT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        for stat_path in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat_path.read_text().rsplit(")", 1)[1].split()[1])
                if ppid == server.pid:
                    os.kill(int(stat_path.parent.name), signal.SIGKILL)
            except (OSError, ValueError):
                continue
        server.kill()
        server.wait()


def login(base: str, email: str, password: str) -> dict[str, str]:
    """POST the real login form with its CSRF token; returns the cookies of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(base + "/accounts/login/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": email, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(base + "/accounts/login/", data=data)
    request.add_header("Referer", base + "/accounts/login/")
    try:
        opener.open(request, timeout=60)
        sys.exit(f"bench: logging in as {email} failed (the form came back)")
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            sys.exit(f"bench: logging in as {email} answered {redirect.code}")
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        sys.exit(f"bench: no session cookie after logging in as {email}")
    return cookies


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def check_page(base: str, path: str, cookies: dict[str, str]) -> None:
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base + path, headers={"Cookie": cookie_header(cookies)})
    try:
        response = opener.open(request, timeout=60)
    except urllib.error.HTTPError as error:
        sys.exit(f"bench: {path} answered {error.code}, not 200")
    if response.status != 200:
        sys.exit(f"bench: {path} answered {response.status}, not 200")


def run_wrk(url: str, cookies: dict[str, str], args, seconds: int) -> dict:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        "-H",
        f"Cookie: {cookie_header(cookies)}",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"bench: wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return json.loads(line.removeprefix("BENCH_JSON "))


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait, total


def cpu_idle(seconds: float = 1.0) -> float:
    """The share of the machine's CPU left idle over `seconds` (1.0 when unknown)."""
    try:
        idle_before, total_before = _cpu_times()
        time.sleep(seconds)
        idle_after, total_after = _cpu_times()
    except OSError:
        return 1.0
    return (idle_after - idle_before) / max(1, total_after - total_before)


def wait_for_idle(max_wait: float, wanted: float = 0.9) -> float:
    """On a shared machine: wait up to `max_wait` seconds for the CPU to be mostly idle, so
    another process's work is not measured as this page's. Returns the last idle share seen."""
    deadline = time.monotonic() + max_wait
    idle = cpu_idle()
    while idle < wanted and time.monotonic() < deadline:
        idle = cpu_idle(2.0)
    return round(idle, 2)


def server_cpu(master_pid: int, database_pids: frozenset[int] = frozenset()) -> dict[int, int]:
    """CPU ticks (user + system) used so far by gunicorn's master, its workers and their
    PostgreSQL backends, per process. (SQLite works inside the workers.)"""
    ticks = {}
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat_path.parent.name), int(fields[1])
        if master_pid in (pid, ppid) or pid in database_pids:
            ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def cpu_seconds_between(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU used between two snapshots: divided by the requests served, a page's cost that other
    processes on a shared machine do not skew. A process that ended in between (a database
    connection past CONN_MAX_AGE) loses its last ticks; a new one counts from zero."""
    ticks = sum(max(0, used - before.get(pid, 0)) for pid, used in after.items())
    return ticks / os.sysconf("SC_CLK_TCK")
