"""Every page that can show health data is sent with `Cache-Control: no-store`, so the back
button on a shared clinic computer shows nothing after sign-out; static files stay cacheable."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD


def assert_no_store(response) -> None:
    cache_control = response.headers.get("Cache-Control", "")
    assert "no-store" in cache_control, cache_control
    assert "private" in cache_control


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("clinician", lambda cast: reverse("child_detail", args=[cast.child.pk])),
        ("clinician", lambda cast: reverse("caseload")),
        ("clinician", lambda cast: reverse("child_record", args=[cast.child.pk])),
        ("parent", lambda cast: reverse("portal_child", args=[cast.child.pk])),
        ("parent", lambda cast: reverse("family_export_json")),
        ("parent", lambda cast: reverse("family_child_export_json", args=[cast.child.pk])),
        ("parent", lambda cast: reverse("portal_home")),
    ],
)
def test_pages_with_health_data_are_never_stored(client, cast, who, page):
    client.force_login(getattr(cast, who))
    response = client.get(page(cast))
    assert response.status_code == 200
    assert_no_store(response)


def test_the_session_page_is_never_stored(client, cast, past_session):
    log = past_session(planned_minutes=50)
    client.force_login(cast.clinician)
    response = client.get(reverse("session_detail", args=[log.pk]))
    assert response.status_code == 200
    assert_no_store(response)


def test_the_sign_in_page_after_sign_out_and_error_pages_are_never_stored(client, cast):
    assert client.login(username=cast.clinician.email, password=PASSWORD)
    signed_out = client.post(reverse("logout"), follow=True)
    assert signed_out.redirect_chain and signed_out.status_code == 200
    assert_no_store(signed_out)
    assert_no_store(client.get("/no-such-page/"))
    # And the page that was open before sign-out now sends the browser to sign in
    child_page = client.get(reverse("child_detail", args=[cast.child.pk]))
    assert child_page.status_code == 302
    assert_no_store(child_page)


@override_settings(WHITENOISE_AUTOREFRESH=True, WHITENOISE_USE_FINDERS=True)
def test_static_files_stay_cacheable(db):
    # WhiteNoise reads its settings when built: a new client builds the stack under these.
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
