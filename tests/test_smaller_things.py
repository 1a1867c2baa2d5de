"""Issue 12, "Smaller things found on the way": `make run`'s address in emailed links, the
gunicorn control socket, the render-stale wait as a setting."""

import datetime
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from engagement.updates.models import ProgressUpdate
from engagement.updates.tasks import progress_updates_tick
from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent


# --- make run: emailed links follow HOST and PORT -------------------------------------------


def _honcho_line(tmp_path, *args, env_file="", **env) -> str:
    """The command `make run` would start honcho with, from a copy of the Makefile in an
    empty directory (so the worktree's own .env plays no part)."""
    need(shutil.which("make") is not None, "make is not installed")
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / ".env").write_text(env_file)
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "MAKEFLAGS")}
    environment.update(env)
    dry_run = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [line for line in dry_run.stdout.splitlines() if "honcho start" in line]
    return line


def _site_url(line: str) -> str | None:
    words = dict(word.split("=", 1) for word in shlex.split(line) if "=" in word)
    return words.get("SITE_URL")


def test_make_run_on_another_port_puts_that_address_in_emailed_links(tmp_path):
    line = _honcho_line(tmp_path, "PORT=9000", "HOST=0.0.0.0")
    assert _site_url(line) == "http://0.0.0.0:9000"
    assert "APP_PORT=9000" in line


def test_make_run_keeps_a_site_url_set_in_the_environment_or_env_file(tmp_path):
    from_environment = _honcho_line(tmp_path, "PORT=9000", SITE_URL="https://practice.example")
    from_command_line = _honcho_line(tmp_path, "PORT=9000", "SITE_URL=https://cli.example")
    from_env_file = _honcho_line(tmp_path, "PORT=9000", env_file="SITE_URL=https://file.example\n")
    # Not overridden: the settings read the environment first, then .env
    assert _site_url(from_environment) is None
    assert _site_url(from_command_line) is None
    assert _site_url(from_env_file) is None


def test_honcho_leaves_env_to_the_settings_so_the_environment_wins(tmp_path):
    # honcho would otherwise load .env over the environment (the reverse of the settings).
    assert "--env /dev/null" in _honcho_line(tmp_path)


# --- gunicorn's control socket --------------------------------------------------------------


def test_the_procfiles_gunicorn_has_no_control_socket():
    from gunicorn.config import Config

    (web,) = [
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    ]
    words = shlex.split(web.replace("${APP_HOST}", "127.0.0.1").replace("${APP_PORT}", "8000"))
    config = Config()
    parsed = config.parser().parse_args(words[1:])
    assert parsed.control_socket_disable is True


# --- the render-stale wait is a setting ------------------------------------------------------


@pytest.fixture
def stale_update(cast, always_allowed):
    """An update opened two minutes ago whose worker died before it rendered the email."""
    from tests.test_progress_updates import family

    parent, _child, _goal = family(cast, "Ada")
    now = timezone.now()
    update = ProgressUpdate.objects.create(
        parent=parent, period_start=now - datetime.timedelta(days=7), period_end=now
    )
    ProgressUpdate.objects.filter(pk=update.pk).update(
        created_at=now - datetime.timedelta(minutes=2)
    )
    return update, now


def _tick(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        progress_updates_tick.apply(kwargs={"now": now.isoformat()})


def test_the_render_stale_wait_is_read_from_the_settings(
    stale_update, settings, django_capture_on_commit_callbacks
):
    update, now = stale_update
    settings.PROGRESS_RENDER_STALE_SECONDS = 60
    _tick(now, django_capture_on_commit_callbacks)
    update.refresh_from_db()
    assert update.email is not None and update.email.state == "sent"
    assert len(mail.outbox) == 1


def test_an_update_younger_than_the_render_stale_wait_is_left_to_its_worker(
    stale_update, settings, django_capture_on_commit_callbacks
):
    update, now = stale_update
    settings.PROGRESS_RENDER_STALE_SECONDS = 300
    _tick(now, django_capture_on_commit_callbacks)
    update.refresh_from_db()
    assert update.email is None and mail.outbox == []


def test_the_readme_lists_the_render_stale_setting():
    readme = (ROOT / "README.md").read_text()
    assert "| `PROGRESS_RENDER_STALE_SECONDS` | `300` |" in readme
