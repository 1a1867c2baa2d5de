"""A real Celery worker, in-process, through the configured broker: Redis when REDIS_URL is
set (as in .ci/run), otherwise the file-system broker that `make run` uses."""

import os
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from practice.celery import app
from practice.models import Heartbeat
from practice.tasks import heartbeat
from tests.conftest import REQUIRE_SERVICES


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_task_end_to_end():
    if REQUIRE_SERVICES or os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    else:
        settings.BROKER_DIR.joinpath("out").mkdir(parents=True, exist_ok=True)
        settings.BROKER_DIR.joinpath("processed").mkdir(parents=True, exist_ok=True)
        settings.BROKER_DIR.joinpath("control").mkdir(parents=True, exist_ok=True)
    # A queue of its own: another test run sharing var/broker/ must not take this message.
    queue = f"worker-test-{uuid.uuid4().hex}"
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]
    ):
        heartbeat.apply_async(args=["worker-test"], queue=queue)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if Heartbeat.objects.filter(name="worker-test").exists():
                break
            time.sleep(0.2)
    assert Heartbeat.objects.filter(name="worker-test").exists()
