"""A real SMTP server for tests: aiosmtpd on a free loopback port, keeping what it receives.

    with MailSink() as sink:                      # listening from here
        ...                                       # point EMAIL_HOST/EMAIL_PORT at it
        sink.wait_for(3)
        sink.messages                             # email.message.EmailMessage, in order

`refuse_first=n` answers "451 try again later" to the first n messages (a server that is briefly
unwell); `port=` listens on a port chosen earlier with free_port(), so a test can play a server
that is down (nothing listening yet) and then comes up. The `mailsink` fixture starts one and
points Django's settings (the SMTP backend, EMAIL_HOST, EMAIL_PORT) at it.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time

import pytest

HOST = "127.0.0.1"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class MailSink:
    def __init__(self, *, port: int | None = None, refuse_first: int = 0):
        self.host = HOST
        self.port = port or free_port()
        self.refuse_first = refuse_first
        self.refused = 0
        self._messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.refused < self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self._messages.append(message)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self._lock:
            return list(self._messages)

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]

    def wait_for(self, count: int, seconds: float = 20) -> bool:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.messages) >= count

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def point_settings_at(settings, sink: MailSink) -> None:
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""


@pytest.fixture
def mailsink(settings):
    """A listening sink, with Django's email settings pointing at it."""
    with MailSink() as sink:
        point_settings_at(settings, sink)
        yield sink
