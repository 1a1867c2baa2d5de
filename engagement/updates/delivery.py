"""Progress updates from due to delivered: the beat's tick opens one ProgressUpdate per due
parent and period, and a task per chunk renders the emails onto the outbox and hands them to
the SMTP server over one connection.

Once only: a ProgressUpdate is unique per parent and period start, the due preferences of a
chunk are locked (`skip_locked`, so two ticks at once share the work instead of doing it twice)
and moved on to their next due time in the same transaction, and an email's outbox key names
the parent and period, so a second tick, a second beat or a repeated task creates nothing more.
A worker that dies while rendering leaves ProgressUpdates without an email; the tick hands
them out again after settings.PROGRESS_RENDER_STALE_SECONDS.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from practice.models import CommunicationPolicy, OutgoingEmail, Practice, User
from practice.policy.services import communication_policy_for
from practice.timing import NeverAllowed, is_allowed, next_allowed

from .content import ProgressEmail, build_progress_emails, parents_with_children
from .models import ProgressUpdate, UpdatePreference
from .schedule import contact_rules_for, is_receiving, next_update_after
from .unsubscribe import unsubscribe_headers

# A tick opens at most this many updates; the rest wait for the next tick (a few minutes).
TICK_LIMIT = 20_000


def chunk_size() -> int:
    return settings.OUTBOX_CHUNK_SIZE


def render_stale() -> datetime.timedelta:
    """An update still without its email this long after it was opened lost its worker."""
    return datetime.timedelta(seconds=settings.PROGRESS_RENDER_STALE_SECONDS)


def progress_updates_open(
    *, now: datetime.datetime, enqueue: Callable[[list[int]], None], limit: int = TICK_LIMIT
) -> int:
    """Open the updates of every due parent, a chunk per transaction, and hand each chunk's
    ids to `enqueue` once it is committed. Then hand out again what lost its worker. Costs
    O(due): only preferences with next_update_at <= now are read (an indexed column)."""
    practice = Practice.get()
    communication = communication_policy_for()
    opened = 0
    while opened < limit:
        found, ids = _open_chunk(now, practice, communication)
        if not found:
            break
        opened += len(ids)
        if ids:
            transaction.on_commit(lambda ids=ids: enqueue(ids))
    for ids in _stale_chunks(now):
        enqueue(ids)
    return opened


def _open_chunk(
    now: datetime.datetime, practice: Practice, communication: CommunicationPolicy
) -> tuple[int, list[int]]:
    """One chunk of due preferences: (how many were due, the ProgressUpdate ids to render)."""
    with transaction.atomic():
        prefs = list(
            UpdatePreference.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_update_at__lte=now)
            .select_related("parent")
            .order_by("next_update_at", "pk")[: chunk_size()]
        )
        if not prefs:
            return 0, []
        receiving = [
            pref for pref in prefs if is_receiving(pref, communication) and pref.parent.is_active
        ]
        told = parents_with_children([pref.parent_id for pref in receiving])
        starts = period_starts(receiving, now)
        ProgressUpdate.objects.bulk_create(
            [
                ProgressUpdate(
                    parent_id=pref.parent_id, period_start=starts[pref.parent_id], period_end=now
                )
                for pref in receiving
                if pref.parent_id in told
            ],
            ignore_conflicts=True,
        )
        _move_on(prefs, communication, now, practice)
        ids = list(
            ProgressUpdate.objects.filter(
                parent_id__in=[pref.parent_id for pref in receiving], email__isnull=True
            ).values_list("pk", flat=True)
        )
    return len(prefs), ids


def _move_on(prefs, communication: CommunicationPolicy, now, practice: Practice) -> None:
    """Each preference to its next due time: one UPDATE per distinct time (parents due together
    mostly share their next slot), cheaper than a CASE over the chunk."""
    by_time: dict = defaultdict(list)
    for pref in prefs:
        by_time[next_update_after(pref, communication, now, practice.tz)].append(pref.pk)
    for next_at, ids in by_time.items():
        UpdatePreference.objects.filter(pk__in=ids).update(next_update_at=next_at)


def period_starts(prefs: Sequence[UpdatePreference], now: datetime.datetime) -> dict:
    """Where each parent's new period starts: the end of their previous update, else their
    first login (else when they last logged in or joined); never after now."""
    ends = dict(
        ProgressUpdate.objects.filter(parent_id__in=[pref.parent_id for pref in prefs])
        .values("parent_id")
        .annotate(end=Max("period_end"))
        .values_list("parent_id", "end")
    )
    starts = {}
    for pref in prefs:
        parent = pref.parent
        start = (
            ends.get(parent.pk) or pref.first_login_at or parent.last_login or parent.date_joined
        )
        starts[parent.pk] = min(start, now)
    return starts


def _stale_chunks(now: datetime.datetime) -> list[list[int]]:
    ids = list(
        ProgressUpdate.objects.filter(email__isnull=True, created_at__lt=now - render_stale())
        .order_by("pk")
        .values_list("pk", flat=True)[:TICK_LIMIT]
    )
    size = chunk_size()
    return [ids[index : index + size] for index in range(0, len(ids), size)]


# --- Rendering a chunk onto the outbox ---------------------------------------------------------


def progress_emails_create(
    update_ids: Sequence[int], *, now: datetime.datetime | None = None, claim: bool = False
) -> list:
    """Render each update of the chunk that has no email yet and put it on the outbox, linked
    to its update (skipped when there is nothing new, held when it is not an allowed time).
    Returns the ids of the emails to deliver now; with `claim`, those rows themselves, created
    already claimed for this worker (state sending, attempt 1), to hand to
    emails_send_claimed without reading them back. A fixed number of queries per chunk."""
    now = now or timezone.now()
    practice = Practice.get()
    communication = communication_policy_for()
    with transaction.atomic():
        updates = _one_per_parent(
            ProgressUpdate.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=list(update_ids), email__isnull=True)
            .select_related("parent")
            .order_by("period_start", "pk")
        )
        if not updates:
            return []
        prefs = {
            pref.parent_id: pref
            for pref in UpdatePreference.objects.filter(
                parent_id__in=[u.parent_id for u in updates]
            )
        }
        periods = {u.parent_id: (u.period_start, u.period_end) for u in updates}
        emails = build_progress_emails(
            [u.parent for u in updates], periods, communication, practice=practice, now=now
        )
        rows = [
            outgoing_email(email, prefs.get(email.parent.pk), communication, practice, now)
            for email in emails
        ]
        due_state = OutgoingEmail.State.SENDING if claim else OutgoingEmail.State.PENDING
        for row in rows:
            if claim and row.state == OutgoingEmail.State.PENDING and row.send_after <= now:
                row.state, row.attempts, row.claimed_at = due_state, 1, now
        existing = OutgoingEmail.objects.in_bulk([row.key for row in rows], field_name="key")
        created = OutgoingEmail.objects.bulk_create([r for r in rows if r.key not in existing])
        by_key = {**existing, **{row.key: row for row in created}}
        for update in updates:
            update.email = by_key[progress_key(update.parent, update.period_start)]
        _link_emails(updates)
    due = [row for row in created if row.state == due_state and row.send_after <= now]
    return due if claim else [row.pk for row in due]


def _link_emails(updates: Sequence[ProgressUpdate]) -> None:
    """Each update's email_id in one UPDATE ... CASE. The same statement as bulk_update, which
    spent more building it (a quarter of a millisecond an email) than the database ran it."""
    quote = connection.ops.quote_name
    table, email_id, pk = (
        quote(ProgressUpdate._meta.db_table),
        quote(ProgressUpdate._meta.get_field("email").column),
        quote(ProgressUpdate._meta.pk.column),
    )
    cases = " ".join(["WHEN %s THEN %s"] * len(updates))
    marks = ", ".join(["%s"] * len(updates))
    params = [value for u in updates for value in (u.pk, u.email_id)]
    params += [u.pk for u in updates]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {email_id} = CASE {pk} {cases} END WHERE {pk} IN ({marks})",
            params,
        )


def _one_per_parent(updates) -> list[ProgressUpdate]:
    """A parent's oldest open update; a second one (rare: a stale one handed out again beside
    a new one) waits for a later chunk."""
    chosen: dict[int, ProgressUpdate] = {}
    for update in updates:
        chosen.setdefault(update.parent_id, update)
    return list(chosen.values())


def progress_key(parent: User, period_start: datetime.datetime) -> str:
    return f"progress:{parent.pk}:{period_start.isoformat()}"


def outgoing_email(
    email: ProgressEmail,
    pref: UpdatePreference | None,
    communication: CommunicationPolicy,
    practice: Practice,
    now: datetime.datetime,
) -> OutgoingEmail:
    """The outbox row of one rendered email (not saved)."""
    state = OutgoingEmail.State.PENDING if email.has_news else OutgoingEmail.State.SKIPPED
    skip_reason = "" if email.has_news else OutgoingEmail.SkipReason.NO_NEWS
    send_after, error = send_time(pref, communication, practice, now)
    if error:
        state = OutgoingEmail.State.SKIPPED
        skip_reason = OutgoingEmail.SkipReason.NO_TIME
    return OutgoingEmail(
        key=progress_key(email.parent, email.period_start),
        kind=OutgoingEmail.Kind.PROGRESS_UPDATE,
        recipient=email.parent.email,
        user=email.parent,
        state=state,
        skip_reason=skip_reason,
        last_error=error,
        subject=email.subject[:255],
        body_text=email.text,
        body_html=email.html,
        headers=unsubscribe_headers(email.parent),
        send_after=send_after,
    )


def send_time(
    pref: UpdatePreference | None,
    communication: CommunicationPolicy,
    practice: Practice,
    now: datetime.datetime,
) -> tuple[datetime.datetime, str]:
    """Now if now is an allowed time (the schedule already chose one; a late tick may have
    drifted into quiet hours), else the next allowed time. With no allowed time at all, the
    email cannot go: (now, why)."""
    if pref is None:
        return now, ""
    rules = contact_rules_for(pref, communication)
    if is_allowed(rules, now, practice.tz):
        return now, ""
    try:
        return next_allowed(rules, now, practice.tz), ""
    except NeverAllowed:
        return now, "The quiet hours and the parent's own times leave no time to send."
