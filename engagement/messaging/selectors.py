"""Reads for messages. A guardian reads only their own threads (never a co-parent's), for a
child the access module lets them see; the care team reads every thread of its children;
nobody else (the office included) reads a message."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, F, Q
from django.http import Http404

from practice.access import ChildPolicy, caseload_for, child_for_user
from practice.models import Child, CommunicationPolicy, Practice, User
from practice.policy.services import communication_policy_for

from .models import Message, MessageThread
from .timing import is_overdue


def thread_for_user(user: User, pk: int) -> tuple[MessageThread, ChildPolicy]:
    """A thread for its own guardian or a clinician who may read the child's clinical record;
    404 for anyone else, a co-parent included."""
    thread = MessageThread.objects.filter(pk=pk).select_related("guardian").first()
    if thread is None:
        raise Http404
    child, child_policy = child_for_user(user, thread.child_id)
    if child_policy.is_guardian:
        allowed = child_policy.own_items and thread.guardian_id == user.pk
    else:
        allowed = child_policy.clinical
    if not allowed:
        raise Http404
    thread.child = child
    return thread, child_policy


def thread_messages(thread: MessageThread) -> list[Message]:
    return list(thread.messages.select_related("author").order_by("sent_at", "pk"))


def _unread_for_family() -> Q:
    return Q(from_family=False) & (
        Q(thread__family_read_at__isnull=True) | Q(sent_at__gt=F("thread__family_read_at"))
    )


def threads_for_guardian(user: User, child_policies: Iterable[ChildPolicy]) -> list[MessageThread]:
    """This guardian's own threads for the children they may see, newest first, each with its
    unread count (one query)."""
    child_ids = [p.child_id for p in child_policies if p.is_guardian and p.own_items]
    return list(
        MessageThread.objects.filter(guardian=user, child_id__in=child_ids)
        .select_related("child")
        .annotate(unread=Count("messages", filter=_unread_messages_of_thread()))
        .order_by("-last_message_at")
    )


def _unread_messages_of_thread() -> Q:
    return Q(messages__from_family=False) & (
        Q(family_read_at__isnull=True) | Q(messages__sent_at__gt=F("family_read_at"))
    )


def unread_counts(user: User, child_policies: Iterable[ChildPolicy]) -> dict[int, int]:
    """Unread care-team messages in this guardian's own threads, per child (one query)."""
    child_ids = [p.child_id for p in child_policies if p.is_guardian and p.own_items]
    if not child_ids:
        return {}
    rows = (
        Message.objects.filter(thread__guardian=user, thread__child_id__in=child_ids)
        .filter(_unread_for_family())
        .values("thread__child_id")
        .annotate(count=Count("pk"))
    )
    return {row["thread__child_id"]: row["count"] for row in rows}


def threads_for_care_team(child_policy: ChildPolicy, child: Child) -> list[MessageThread]:
    """Every thread of the child, for whoever may read its clinical record."""
    if not child_policy.clinical:
        return []
    unread = Q(messages__from_family=True) & (
        Q(care_team_read_at__isnull=True) | Q(messages__sent_at__gt=F("care_team_read_at"))
    )
    return list(
        MessageThread.objects.filter(child=child)
        .select_related("guardian")
        .annotate(unread=Count("messages", filter=unread))
        .order_by("-last_message_at")
    )


def overdue_threads(
    clinician: User,
    practice: Practice,
    now: datetime.datetime,
    communication: CommunicationPolicy | None = None,
) -> list[MessageThread]:
    """Open threads on this clinician's caseload whose latest message is the family's and older
    than the practice's response time in business days. One query for the whole caseload:
    a calendar-day prefilter in SQL, the business-day rule in Python."""
    communication = communication or communication_policy_for(practice)
    response_days = communication.response_time_business_days
    candidates = (
        MessageThread.objects.filter(
            child__in=caseload_for(clinician).values("pk"),
            status=MessageThread.Status.OPEN,
            last_from_family=True,
            last_message_at__lt=now - datetime.timedelta(days=response_days),
        )
        .select_related("child", "guardian")
        # What the caseload shows of each thread, and no more.
        .only(
            "subject",
            "last_message_at",
            "child",
            "guardian",
            "child__first_name",
            "child__preferred_name",
            "child__last_name",
            "guardian__full_name",
        )
        .order_by("last_message_at")
    )
    return [
        thread
        for thread in candidates
        if is_overdue(thread.last_message_at, now, practice.tz, response_days)
    ]
