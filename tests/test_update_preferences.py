"""A parent's "Email updates" page, the one-click unsubscribe link, and what schedules the next
progress email (first login, a change of choices, a change of the practice's policy)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.updates.models import ProgressUpdate, UpdatePreference
from engagement.updates.schedule import practice_policy, preference_for
from engagement.updates.unsubscribe import unsubscribe_headers, unsubscribe_token, unsubscribe_url
from practice.models import AuditEvent, CommunicationPolicy

pytestmark = pytest.mark.django_db


def _unsubscribe_path(parent):
    return reverse("update_unsubscribe", args=[unsubscribe_token(parent)])


def test_unsubscribe_url_is_absolute_and_signed(cast):
    url = unsubscribe_url(cast.parent)
    assert url.startswith("http://testserver/updates/unsubscribe/")
    assert url != unsubscribe_url(cast.other_parent)


def test_unsubscribe_headers_follow_rfc_8058(cast):
    headers = unsubscribe_headers(cast.parent)
    assert headers == {
        "List-Unsubscribe": f"<{unsubscribe_url(cast.parent)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_unsubscribe_get_changes_nothing(client, cast):
    pref = preference_for(cast.parent)
    pref.next_update_at = timezone.now() + datetime.timedelta(days=3)
    pref.save()

    response = client.get(_unsubscribe_path(cast.parent))

    assert response.status_code == 200
    assert b"Stop progress emails" in response.content
    pref.refresh_from_db()
    assert pref.unsubscribed_at is None and pref.cadence != "off" and pref.next_update_at


def test_unsubscribe_post_works_without_login_or_csrf(cast):
    from django.test import Client

    pref = preference_for(cast.parent)
    pref.next_update_at = timezone.now() + datetime.timedelta(days=3)
    pref.save()

    response = Client(enforce_csrf_checks=True).post(
        _unsubscribe_path(cast.parent), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert b"You will not get progress emails" in response.content
    pref.refresh_from_db()
    assert pref.cadence == "off" and pref.unsubscribed_at and pref.next_update_at is None
    assert AuditEvent.objects.filter(action="update_preference.unsubscribe").count() == 1


def test_tampered_token_is_a_plain_400(client, cast):
    token = unsubscribe_token(cast.parent)
    other_id = str(cast.other_parent.pk)
    forged = other_id + token[token.index(":") :]

    for bad in (forged, "nonsense", token + "x"):
        path = reverse("update_unsubscribe", args=[bad])
        assert client.get(path).status_code == 400
        assert client.post(path).status_code == 400
    assert not UpdatePreference.objects.filter(unsubscribed_at__isnull=False).exists()
