"""Cancel and reschedule from the portal: a cancellation marks the session and becomes a barrier
reported by the family; a request to reschedule is answered by the clinician (who can move the
session in the same step); the guardian sees the status of their barriers, never the notes."""

import datetime

from django.urls import reverse
from django.utils import timezone

from engagement.barriers.models import Barrier
from engagement.barriers.services import barrier_update
from engagement.rescheduling.models import RescheduleRequest
from engagement.visits.models import SessionLog
from tests.factories import GuardianshipFactory, ParentFactory, SessionLogFactory

NOTES = "Clinician barrier note QQQ7"


def upcoming(cast, days=3, child=None):
    return SessionLogFactory(
        child=child or cast.child,
        clinician=cast.clinician,
        in_days=days,
    )


def cancel(client, user, session, kind="transport", note=""):
    client.force_login(user)
    url = reverse("portal_session_cancel", args=[session.child_id, session.pk])
    return client.post(url, {"kind": kind, "note": note})


def ask(client, user, session, times="Tuesday after 4pm"):
    client.force_login(user)
    url = reverse("portal_reschedule_ask", args=[session.child_id, session.pk])
    return client.post(url, {"preferred_times": times})


def test_portal_offers_cancel_and_reschedule_for_upcoming_sessions(client, cast):
    session = upcoming(cast)
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert reverse("portal_session_cancel", args=[cast.child.pk, session.pk]) in page
    assert reverse("portal_reschedule_ask", args=[cast.child.pk, session.pk]) in page
    form = client.get(reverse("portal_session_cancel", args=[cast.child.pk, session.pk]))
    text = form.content.decode()
    assert "What got in the way?" in text
    for word in ("penalty", "fee", "notice period"):
        assert word not in text.lower()


def test_cancelling_creates_a_family_barrier_and_marks_the_session(client, cast):
    session = upcoming(cast)
    response = cancel(client, cast.parent, session, kind="work", note="Shift changed")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionLog.Status.CANCELLED_FAMILY
    assert session.cancellation_note == "Shift changed"
    barrier = Barrier.objects.get(session=session)
    assert (barrier.kind, barrier.reporter_role, barrier.reported_by) == (
        "work",
        "family",
        cast.parent,
    )
    assert barrier.status == "open" and barrier.notes == ""
    # A second cancel of the same session is refused: it is no longer upcoming.
    cancel(client, cast.parent, session)
    assert Barrier.objects.filter(session=session).count() == 1


def test_a_barred_co_parent_or_another_family_cannot_cancel(client, cast):
    session = upcoming(cast)
    for user in (cast.barred, cast.other_parent):
        assert cancel(client, user, session).status_code == 404
        assert ask(client, user, session).status_code == 404
        client.force_login(user)
        url = reverse("portal_session_cancel", args=[session.child_id, session.pk])
        assert client.get(url).status_code == 404
    # Another child's session through this child's address: 404 too.
    other = upcoming(cast, child=cast.other_child)
    assert cancel(client, cast.parent, SessionLog(pk=other.pk, child=cast.child)).status_code == 404
    session.refresh_from_db()
    other.refresh_from_db()
    assert session.status == other.status == SessionLog.Status.SCHEDULED
    assert not Barrier.objects.exists()


def test_reschedule_request_is_answered_by_the_clinician(client, cast):
    session = upcoming(cast)
    assert ask(client, cast.parent, session).status_code == 302
    request = RescheduleRequest.objects.get()
    assert (request.status, request.guardian) == ("open", cast.parent)
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "You asked to move it" in page
    assert reverse("portal_reschedule_ask", args=[cast.child.pk, session.pk]) not in page

    client.force_login(cast.clinician)
    caseload = client.get(reverse("caseload")).content.decode()
    assert reverse("reschedule_answer", args=[request.pk]) in caseload
    child_page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "Tuesday after 4pm" in child_page

    new_day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("reschedule_answer", args=[request.pk]),
        {
            "status": "answered",
            "start_date": new_day.isoformat(),
            "start_time": "16:30",
            "answer": "Moved to Tuesday 4.30pm ANS1",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    session.refresh_from_db()
    assert request.status == "answered" and request.answered_by == cast.clinician
    assert session.status == SessionLog.Status.CANCELLED_CLINICIAN
    assert session.rescheduled_to.status == SessionLog.Status.SCHEDULED

    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "Moved to Tuesday 4.30pm ANS1" in page


def test_outsider_cannot_answer_and_a_co_parent_does_not_see_the_request(client, cast, co_parent):
    session = upcoming(cast)
    ask(client, cast.parent, session, times="Mornings only PRF1")
    request = RescheduleRequest.objects.get()
    client.force_login(cast.outsider)
    assert client.get(reverse("reschedule_answer", args=[request.pk])).status_code == 404
    client.force_login(co_parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "Mornings only PRF1" not in page and "Your requests to reschedule" not in page


def test_declining_keeps_the_session(client, cast):
    session = upcoming(cast)
    ask(client, cast.parent, session)
    request = RescheduleRequest.objects.get()
    client.force_login(cast.clinician)
    response = client.post(
        reverse("reschedule_answer", args=[request.pk]),
        {"status": "declined", "answer": "Sorry, that week is full."},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    request.refresh_from_db()
    assert request.status == "declined" and session.status == SessionLog.Status.SCHEDULED


def test_parent_sees_barrier_status_not_notes(client, cast):
    session = upcoming(cast)
    cancel(client, cast.parent, session, kind="childcare")
    barrier = Barrier.objects.get()
    barrier_update(
        barrier=barrier,
        by=cast.clinician,
        kind="childcare",
        reporter_role="family",
        status="in_progress",
        notes=NOTES,
        actions_taken="Offered an evening slot ACT1",
    )
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "Childcare" in page and "Being worked on" in page
    assert NOTES not in page and "ACT1" not in page


def test_the_care_team_reads_what_the_family_wrote_when_cancelling(client, cast):
    session = upcoming(cast)
    cancel(client, cast.parent, session, kind="transport", note="The bus was cancelled BUS1")
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "The family wrote when cancelling:" in page and "BUS1" in page


def test_a_guardian_with_limited_access_can_cancel_and_ask(client, cast):
    limited = ParentFactory()
    GuardianshipFactory(
        child=cast.child, guardian=limited, access="limited", access_reason="Agreed"
    )
    first, second = upcoming(cast), upcoming(cast, days=10)
    assert cancel(client, limited, first, kind="scheduling").status_code == 302
    assert ask(client, limited, second).status_code == 302
    first.refresh_from_db()
    assert first.status == SessionLog.Status.CANCELLED_FAMILY
    assert RescheduleRequest.objects.get().guardian == limited
    # The other guardian does not see this guardian's barrier among their own.
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "What you told us got in the way" not in page
