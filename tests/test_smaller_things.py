"""Issue 12, "Smaller things found on the way": `make run`'s address in emailed links, the
gunicorn control socket, the render-stale wait as a setting."""

import datetime
import os
import re
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
from tests.factories import ProgressUpdateFactory

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
    exported_in_env_file = _honcho_line(tmp_path, env_file="export SITE_URL=https://x.example\n")
    # Not overridden: the settings read the environment first, then .env
    assert _site_url(from_environment) is None
    assert _site_url(from_command_line) is None
    assert _site_url(from_env_file) is None
    assert _site_url(exported_in_env_file) is None


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
    from tests.engagement.updates.test_updates import family

    parent, _child, _goal = family(cast, "Ada")
    now = timezone.now()
    update = ProgressUpdateFactory(
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


# --- an order that has already expired gets a warning when entered ---------------------------


def _guardian_form(**overrides) -> dict:
    from tests.practice.test_intake import guardian_data

    order = {
        "access": "none",
        "access_reason": "Court order",
        "court_order_reference": "FD-OLD-1",
        "court_order_date": "2020-01-10",
        "court_order_expires": "2021-01-10",
        "send_invitation": "",
    }
    return guardian_data(**{**order, **overrides})


def _warnings(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_a_guardian_added_with_an_expired_order_is_saved_with_a_warning(client, cast):
    from django.urls import reverse

    from practice.models import Guardianship

    client.force_login(cast.clinician)
    response = client.post(
        reverse("guardian_add", args=[cast.child.pk]), _guardian_form(), follow=True
    )
    guardianship = Guardianship.objects.get(child=cast.child, guardian__email="jo@family.example")
    assert guardianship.court_order_expires == datetime.date(2021, 1, 10)
    assert _warnings(response) == [
        "The court order entered expired on 10 January 2021. It is saved for the record; the "
        "access set here applies until it is changed."
    ]


def test_an_order_still_running_gets_no_warning(client, cast):
    from django.urls import reverse

    client.force_login(cast.clinician)
    next_year = (cast.practice.today() + datetime.timedelta(days=365)).isoformat()
    response = client.post(
        reverse("guardian_add", args=[cast.child.pk]),
        _guardian_form(court_order_expires=next_year),
        follow=True,
    )
    assert response.status_code == 200 and _warnings(response) == []


def test_entering_an_expired_order_on_an_existing_guardianship_warns_once(client, cast):
    from django.urls import reverse

    client.force_login(cast.clinician)
    url = reverse("guardian_edit", args=[cast.child.pk, cast.guardianship.pk])
    data = {
        "relationship": "mother",
        "access": "limited",
        "access_reason": "Court order",
        "court_order_reference": "FD-OLD-2",
        "court_order_date": "2020-01-10",
        "court_order_expires": "2021-01-10",
    }
    first = client.post(url, data, follow=True)
    cast.guardianship.refresh_from_db()
    assert cast.guardianship.court_order_expires == datetime.date(2021, 1, 10)
    assert len(_warnings(first)) == 1 and "expired on 10 January 2021" in _warnings(first)[0]
    # Saving it again with the same date says nothing new
    again = client.post(url, {**data, "access_reason": "Court order, reviewed"}, follow=True)
    assert _warnings(again) == []


# --- templates the CSP and the HTML checker accept --------------------------------------------

TEMPLATES = ROOT / "templates"
# Emails are read by mail clients, not under the site's CSP: their inline styles stay.
PAGES = sorted(path for path in TEMPLATES.rglob("*.html") if "emails" not in path.parts)


# An attribute inside a tag (not `{% blocktranslate with style=... %}`).
INLINE_STYLE = re.compile(r"<[a-zA-Z][^<>]*\sstyle\s*=")


def test_no_page_template_has_an_inline_style_the_csp_would_block():
    styled = [str(p.relative_to(ROOT)) for p in PAGES if INLINE_STYLE.search(p.read_text())]
    assert styled == []


def test_htmx_attributes_are_written_as_data_hx():
    bare = re.compile(r"\shx-[a-z]")
    written = [str(path.relative_to(ROOT)) for path in PAGES if bare.search(path.read_text())]
    assert written == []
    assert "data-hx-post" in (TEMPLATES / "engagement" / "visits" / "log_form.html").read_text()


def test_the_engagement_report_renders_its_charts_without_inline_styles(client, cast):
    from django.urls import reverse

    cast.practice.refresh_from_db()
    client.force_login(cast.admin)
    response = client.get(reverse("engagement_report"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg class="w-100 h-auto"') == 1  # one chart: no barriers yet
    assert not INLINE_STYLE.search(page)
