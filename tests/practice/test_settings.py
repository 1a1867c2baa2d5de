"""Settings fail loudly: a boolean or a number the settings cannot read stops the start-up,
naming the variable and its value, instead of quietly reading as false or as the default.
Each case imports the settings in a fresh interpreter with the variable set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "from django.conf import settings; "
    "print(settings.AXES_ENABLED, settings.OUTBOX_CHUNK_SIZE, settings.OUTBOX_RETRY_DELAYS, "
    "settings.SESSION_COOKIE_SECURE)"
)


def import_settings(**values: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "SECRET_KEY": "test-only",
        "PYTHONPATH": str(ROOT),
        **values,
    }
    return subprocess.run(
        [sys.executable, "-c", READ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AXES_ENABLED", "ture"),
        ("DEBUG", "maybe"),
        ("EMAIL_USE_TLS", "yes please"),
        ("SESSION_COOKIE_SECURE", "2"),
        ("BENCH_BARE_VIEW", "enabled"),
        ("AXES_FAILURE_LIMIT", "five"),
        ("AXES_FAILURE_LIMIT", "0"),
        ("OUTBOX_CHUNK_SIZE", "2.5"),
        ("STAFF_IDLE_TIMEOUT", "30m"),
        ("SECURE_HSTS_SECONDS", "-1"),
        ("OUTBOX_RETRY_DELAYS", "60,five"),
        ("PROGRESS_TICK_SECONDS", "soon"),
    ],
)
def test_a_value_the_settings_cannot_read_stops_the_start_up_naming_it(name, value):
    result = import_settings(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name}={value!r}" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", "True"), ("TRUE", "True"), ("on", "True"), ("1", "True"), ("Yes", "True")]
    + [("false", "False"), ("Off", "False"), ("0", "False"), ("no", "False")],
)
def test_booleans_are_read_in_any_usual_spelling(value, expected):
    result = import_settings(AXES_ENABLED=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == expected


def test_numbers_and_lists_are_read_and_unset_values_take_their_defaults():
    result = import_settings(OUTBOX_CHUNK_SIZE=" 40 ", OUTBOX_RETRY_DELAYS="5,10")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1:3] == ["40", "[5,"]
    result = import_settings(AXES_ENABLED="", SESSION_COOKIE_SECURE="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def read_loaders(debug: str) -> str:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "SECRET_KEY": "test-only",
        "PYTHONPATH": str(ROOT),
        "DEBUG": debug,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.template import engines; "
            "print(' '.join(type(loader).__module__.rsplit('.', 1)[1] "
            "for loader in engines['django'].engine.template_loaders))",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_production_keeps_compiled_templates_and_debug_reads_them_afresh():
    assert read_loaders("false") == "cached"  # wrapping the two below
    assert read_loaders("true") == "filesystem app_directories"
