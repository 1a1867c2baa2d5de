"""One browser that several people sign in to, keeping its one CSRF secret (signing in
rotates it, and the fragment cache's key carries its hash): so in a test only the viewer and
their rights tell their cached fragments apart (practice/fragments.py)."""

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

CSRF_SECRET = "k" * 32


def sign_in(client, user) -> None:
    client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET


def view(client, user, url: str):
    """`user`'s GET of `url` in this browser (signing them in when another was), and the
    queries it ran."""
    if client.session.get("_auth_user_id") != str(user.pk):
        sign_in(client, user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


def page(client, user, url: str) -> str:
    response, _ = view(client, user, url)
    assert response.status_code == 200
    return response.content.decode()
