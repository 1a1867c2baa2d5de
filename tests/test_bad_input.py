"""Bad input never gives a 500. A form past the request size limits gets the product's own page
(413: it was too long, nothing was saved, go back), not Django's bare 400; NUL bytes in a
query string or a form field get a form error or a clear page, on SQLite and PostgreSQL."""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from practice.models import Child

NUL = "a\x00b"


@pytest.fixture
def small_limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20


def assert_too_long_page(response) -> None:
    assert response.status_code == 413
    assert response.templates[0].name == "400.html"
    page = response.content.decode()
    assert "What you sent was too long" in page
    assert "Nothing was saved" in page


@pytest.mark.parametrize("content_type", ["urlencoded", "multipart"])
def test_a_form_over_the_size_limit_gets_the_too_long_page(
    client, cast, small_limits, content_type
):
    client.force_login(cast.clinician)
    data = {"first_name": "Mia", "last_name": "x" * 6_000}
    url = reverse("child_edit", args=[cast.child.pk])
    if content_type == "urlencoded":
        response = client.post(
            url, urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(url, data)
    assert_too_long_page(response)
    assert "4.9\xa0KB" in response.content.decode()  # it names this install's limit
    assert Child.objects.get(pk=cast.child.pk).last_name == "Rowe"


def test_a_form_with_too_many_fields_gets_the_too_long_page(client, cast, small_limits):
    client.force_login(cast.clinician)
    data = {f"field{i}": "x" for i in range(30)}
    response = client.post(reverse("child_edit", args=[cast.child.pk]), data)
    assert_too_long_page(response)


def test_the_sign_in_page_over_the_limit_gets_the_page_too(client, db, small_limits):
    response = client.post(reverse("login"), {"username": "a@b.example", "password": "x" * 6_000})
    assert_too_long_page(response)


def test_the_default_limit_is_stated():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000


ANONYMOUS_POSTS = [
    ("login", {"username": NUL, "password": NUL}),
    ("login", {"username": "pat@test.example", "password": NUL}),
    ("password_reset", {"email": NUL}),
    ("password_reset", {"email": f"pat{NUL}@test.example"}),
]


@pytest.mark.parametrize(("name", "data"), ANONYMOUS_POSTS)
def test_nul_bytes_in_the_account_forms_get_a_form_error(client, cast, name, data):
    response = client.post(reverse(name), data)
    assert response.status_code in (200, 302)
    assert client.get(reverse(name) + "?next=%00&email=a%00b").status_code == 200


GETS = [
    ("clinician", "login", "?next=/x%00y"),
    ("clinician", "emergency_search", "?q=Mi%00a"),
    ("clinician", "caseload", "?q=%00&page=%00"),
    ("admin", "audit_list", "?action=%00&date_from=%00&page=1%00"),
    ("admin", "outbox_list", "?state=%00&kind=%00&q=%00&page=%00"),
    ("admin", "emergency_grants", "?page=%00"),
    (None, "password_reset", "?email=%00"),
]


@pytest.mark.parametrize(("who", "name", "query"), GETS)
def test_nul_bytes_in_a_query_string_never_give_a_500(client, cast, who, name, query):
    if who:
        client.force_login(getattr(cast, who))
    response = client.get(reverse(name) + query)
    assert response.status_code < 500


def test_nul_bytes_in_a_path_never_give_a_500(client, cast):
    client.force_login(cast.clinician)
    assert client.get("/children/%00/").status_code == 404
    assert client.get(f"/children/{cast.child.pk}/?session=%00").status_code < 500
