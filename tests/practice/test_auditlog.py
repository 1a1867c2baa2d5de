"""The audit log: append-only (in Python, and on PostgreSQL in the database too), every view of
a child's record audited, and the practice admins' pages per child and per user, filtered."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from practice.auditlog.services import audit
from practice.models import AuditEvent
from tests.conftest import need
from tests.factories import AuditEventFactory


@pytest.fixture
def event(cast):
    return audit(actor=cast.clinician, action="child.view", target=cast.child, child=cast.child)


def test_an_event_cannot_be_changed_or_deleted_in_python(event):
    event.action = "nothing.happened"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "child.view"


def test_the_database_refuses_to_change_or_delete_an_event(event):
    need(connection.vendor == "postgresql", "the append-only trigger exists on PostgreSQL only")
    table = AuditEvent._meta.db_table
    statements = [
        f"UPDATE {table} SET action = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ]
    for sql in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "child.view"
    # Appending still works.
    audit(actor=None, action="system.check")


def test_staff_views_of_the_child_page_are_audited(client, cast):
    for user in (cast.clinician, cast.admin):
        client.force_login(user)
        client.get(reverse("child_detail", args=[cast.child.pk]))
        assert AuditEvent.objects.filter(actor=user, action="child.view", child=cast.child).exists()


def test_every_portal_view_of_a_child_is_audited(client, cast):
    client.force_login(cast.parent)
    client.get(reverse("portal_home"))
    client.get(reverse("portal_child", args=[cast.child.pk]))
    actions = set(
        AuditEvent.objects.filter(actor=cast.parent, child=cast.child).values_list(
            "action", flat=True
        )
    )
    assert actions == {"portal.home_view", "portal.child_view"}
    # The child the parent may not see is in no event of theirs.
    assert not AuditEvent.objects.filter(actor=cast.parent, child=cast.other_child).exists()


def test_only_practice_admins_see_the_audit_log(client, cast, event):
    urls = [
        reverse("audit_list"),
        reverse("audit_child", args=[cast.child.pk]),
        reverse("audit_user", args=[cast.clinician.pk]),
    ]
    for user in (cast.clinician, cast.outsider, cast.parent):
        client.force_login(user)
        assert all(client.get(url).status_code == 404 for url in urls)
    client.force_login(cast.admin)
    assert all(client.get(url).status_code == 200 for url in urls)
    cast.outsider.is_practice_admin = True
    cast.outsider.save()
    client.force_login(cast.outsider)
    assert all(client.get(url).status_code == 200 for url in urls)


def rows(response) -> int:
    return response.content.decode().count('<td class="audit-at">')


def test_admins_filter_by_action_and_dates_per_child_and_per_user(client, cast):
    now = timezone.now()
    old = now - datetime.timedelta(days=40)
    for at, actor, action, child in [
        (now, cast.clinician, "child.view", cast.child),
        (now, cast.parent, "portal.child_view", cast.child),
        (old, cast.clinician, "child.view", cast.child),
        (now, cast.outsider, "child.view", cast.other_child),
    ]:
        AuditEventFactory(at=at, actor=actor, action=action, child=child)
    client.force_login(cast.admin)
    child_url = reverse("audit_child", args=[cast.child.pk])
    assert rows(client.get(child_url)) == 3
    assert rows(client.get(child_url, {"action": "child.view"})) == 2
    today = cast.practice.today().isoformat()
    assert rows(client.get(child_url, {"action": "child.view", "date_from": today})) == 1
    day = timezone.localtime(old, cast.practice.tz).date().isoformat()
    assert rows(client.get(child_url, {"date_from": day, "date_to": day})) == 1
    user_page = client.get(reverse("audit_user", args=[cast.parent.pk]))
    assert rows(user_page) == 1
    assert "opened Mia Rowe&#x27;s page in the portal" in user_page.content.decode()
    assert rows(client.get(reverse("audit_list"), {"action": "child.view"})) == 3


def test_a_date_range_backwards_gets_a_clear_error_and_keeps_the_dates(client, cast, event):
    client.force_login(cast.admin)
    page = client.get(
        reverse("audit_list"), {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    ).content.decode()
    assert "The end date must be on or after the start date." in page
    assert 'value="2026-03-10"' in page and 'value="2026-03-01"' in page


def test_the_log_is_paginated(client, cast):
    AuditEvent.objects.bulk_create(
        AuditEventFactory.build(actor=cast.clinician, action="child.view", child=cast.child)
        for _ in range(60)
    )
    client.force_login(cast.admin)
    first = client.get(reverse("audit_child", args=[cast.child.pk]))
    assert rows(first) == 50 and "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("audit_child", args=[cast.child.pk]), {"page": 2})
    assert rows(second) == 10


# The child's page looks the child up through the access module (its policy data: 5 queries).
BOUNDS = [("audit_list", 10), ("audit_child", 15), ("audit_user", 11)]


@pytest.mark.parametrize("name,bound", BOUNDS)
def test_audit_pages_have_bounded_queries(client, cast, name, bound, django_assert_max_num_queries):
    args = {"audit_list": [], "audit_child": [cast.child.pk], "audit_user": [cast.clinician.pk]}
    url = reverse(name, args=args[name])
    client.force_login(cast.admin)
    client.get(url)  # session bookkeeping is not the page's cost
    for size in (3, 60):
        AuditEvent.objects.bulk_create(
            AuditEventFactory.build(actor=cast.clinician, action=f"act.{i % 7}", child=cast.child)
            for i in range(size)
        )
        with django_assert_max_num_queries(bound):
            assert client.get(url, {"date_from": "2020-01-01"}).status_code == 200
