"""One browser that several people sign in to, keeping its one CSRF secret (signing in
rotates it, and the fragment cache's key carries its hash): so in a test only the viewer and
their rights tell their cached fragments apart (practice/fragments.py)."""

from django.conf import settings

CSRF_SECRET = "k" * 32


def sign_in(client, user) -> None:
    client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
