"""The staff caseload: the clinician's children in one query of plain values (with their
stored engagement signals), and the rows the page shows worked out once in Python (names,
ages, labels, the attention badges) rather than per row in the template. Only the caseload
uses this module; its rows come through practice.access (caseload_for, policy_for)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practice.access import caseload_for, policy_for
from practice.confidentiality import agreement_prompt
from practice.models import (
    CareTeamMembership,
    Child,
    ConfidentialityAgreement,
    Guardianship,
    Invitation,
    Practice,
    Stage,
    User,
)
from practice.templatetags.practice_tags import sharing_label

from .barriers.selectors import asks_about_barriers, with_recent_misses
from .engagement_signals.stored import SIGNAL_VALUES, with_stored_signals
from .visits.selectors import with_next_session

CASELOAD_PAGE_SIZE = 100  # a longer caseload is paged: never one huge table

CASELOAD_FIELDS = (
    "pk",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "stage",
    "discharged_on",
    "created_at",
    "record_version",
    "next_session_id",
    "next_session_start",
    "recent_misses",
    "barrier_recently_recorded",
    *SIGNAL_VALUES,
)


def caseload_children(user: User, *, now: datetime.datetime) -> list[dict]:
    """The clinician's caseload in one query, as plain values: each child with its next
    session, its recent misses and its stored engagement signals; in therapy first, by name."""
    children = with_recent_misses(with_next_session(caseload_for(user), now), now)
    children = with_stored_signals(children)
    return list(
        children.order_by("discharged_on", "last_name", "first_name").values(*CASELOAD_FIELDS)
    )


def caseload_versions(children: list[dict]) -> tuple:
    """What the caseload's table and attention list are cached under besides the fragment
    cache's own key: each child's record_version, and what changes with the clock alone (the
    next session once it has started, misses leaving the 8 weeks)."""
    return tuple(
        (
            c["pk"],
            c["record_version"],
            c["next_session_id"],
            c["recent_misses"],
            c["barrier_recently_recorded"],
        )
        for c in children
    )


def as_blocktranslate(message: str, **values) -> SafeString:
    """A translated message with its values filled in as {% blocktranslate %} does: the values
    escaped, the message itself not (so a page built in Python reads exactly the same)."""
    return mark_safe(message % {name: conditional_escape(value) for name, value in values.items()})  # noqa: S308


@dataclass
class CaseloadRow:
    """One child of the caseload, with what the page shows of it worked out once."""

    pk: int
    name: str
    url: str
    discharged: str = ""  # the discharge date, for a discharged child
    age: str = ""
    stage: str = ""
    stage_label: str = ""
    sharing: str = ""
    family: str = ""
    next_session: str = ""
    next_session_url: str = ""
    primary_clinician: str = ""
    attention: list[tuple[str, str]] = field(default_factory=list)  # (badge class, text)


def _guardianship_values(child_ids: list[int]) -> dict[int, list[dict]]:
    """Each child's guardians as values, with what portal_state reads worked out in SQL."""
    latest = Invitation.objects.filter(user=OuterRef("guardian")).order_by("-created_at")
    rows = (
        Guardianship.objects.filter(child_id__in=child_ids)
        .annotate(
            invited=Exists(latest),
            latest_send_error=Subquery(latest.values("send_error")[:1]),
            # User.has_usable_password(), in SQL: an unusable password starts with "!".
            password_set=~Q(guardian__password__startswith=UNUSABLE_PASSWORD_PREFIX),
        )
        .values(
            "child_id",
            "access",
            "court_order_expires",
            "guardian__full_name",
            "invited",
            "latest_send_error",
            "password_set",
        )
    )
    by_child: dict[int, list[dict]] = {}
    for row in rows:
        by_child.setdefault(row["child_id"], []).append(row)
    return by_child


def _portal_state_of(row: dict) -> str:
    """portal_state() for a row of _guardianship_values."""
    if row["access"] == Guardianship.Access.NONE:
        return "no_access"
    if row["password_set"]:
        return "active"
    if not row["invited"]:
        return "not_invited"
    return "send_failed" if row["latest_send_error"] else "invited"


def _child_instances(children: list[dict]) -> list[Child]:
    """Unsaved-looking Child instances of the values, with what policy_for and
    agreement_prompt read prefetched (care team ids, agreements): two light queries."""
    fields = ("first_name", "last_name", "preferred_name", "date_of_birth", "stage")
    fields += ("discharged_on", "created_at")
    instances = [Child(id=c["pk"], **{name: c[name] for name in fields}) for c in children]
    for instance in instances:
        instance._state.adding, instance._state.db = False, "default"
    prefetch_related_objects(
        instances,
        Prefetch(
            "memberships",
            queryset=CareTeamMembership.objects.only("child_id", "clinician_id", "is_primary"),
        ),
        Prefetch(
            "confidentiality_agreements",
            queryset=ConfidentialityAgreement.objects.only(
                "child_id", "effective_date", "version", "sharing_level"
            ).order_by("-effective_date", "-version"),
            to_attr="agreements_in_effect",
        ),
    )
    return instances


def caseload_rows(
    user: User, children: list[dict], *, practice: Practice, today: datetime.date
) -> list[CaseloadRow]:
    """The rows of caseload_children(), each through policy_for, with what the table and the
    attention list show: three more queries whatever the caseload's size."""
    guardians = _guardianship_values([c["pk"] for c in children])
    primaries = dict(
        CareTeamMembership.objects.filter(
            child_id__in=[c["pk"] for c in children], is_primary=True
        ).values_list("child_id", "clinician__full_name")
    )
    labels = CaseloadLabels()
    rows = []
    for values, child in zip(children, _child_instances(children), strict=True):
        child_policy = policy_for(user, child, practice=practice, today=today)
        if child_policy is None:
            continue
        row = CaseloadRow(values["pk"], child.display_name, labels.child_url(values["pk"]))
        if child.is_discharged:
            day = formats.date_format(child.discharged_on, "j M Y")
            row.discharged = as_blocktranslate(_("discharged %(day)s"), day=day)
            rows.append(row)
            continue
        _describe(row, values, child_policy, guardians.get(values["pk"], []), labels, today)
        row.primary_clinician = primaries.get(values["pk"]) or "—"
        row.attention = _attention(child, values, guardians.get(values["pk"], []), practice, today)
        rows.append(row)
    return rows


class CaseloadLabels:
    """The table's fixed texts, translated once per page rather than once per row."""

    def __init__(self):
        self.stages = {value: str(label) for value, label in Stage.choices}
        self.no_access = _("no access")
        self.limited = _("limited access")
        self._child_url = reverse("child_detail", args=[0])[:-2]
        self._session_url = reverse("session_detail", args=[0])[:-2]

    def child_url(self, pk: int) -> str:
        return f"{self._child_url}{pk}/"

    def session_url(self, pk: int) -> str:
        return f"{self._session_url}{pk}/"


def _describe(row, values, child_policy, guardians, labels, today) -> None:
    row.age = as_blocktranslate(_("%(age)s old"), age=timesince(values["date_of_birth"], today))
    row.stage, row.stage_label = values["stage"], labels.stages.get(values["stage"], "")
    row.sharing = sharing_label(child_policy.sharing_level)
    row.family = ", ".join(_guardian_text(guardian, labels) for guardian in guardians)
    if values["next_session_start"] is not None:
        start = timezone.localtime(values["next_session_start"])
        row.next_session = formats.date_format(start, "D j M, H:i")
        row.next_session_url = labels.session_url(values["next_session_id"])


def _guardian_text(guardian: dict, labels: CaseloadLabels) -> str:
    name = guardian["guardian__full_name"]
    if guardian["access"] == Guardianship.Access.NONE:
        return f"{name} ({labels.no_access})"
    if guardian["access"] == Guardianship.Access.LIMITED:
        return f"{name} ({labels.limited})"
    return name


def _attention(child, values, guardians, practice, today) -> list[tuple[str, str]]:
    """The badges of the attention list, in the page's order, each at most once."""
    badges = []
    if any(g["court_order_expires"] and g["court_order_expires"] < today for g in guardians):
        badges.append(("text-bg-danger", _("court order expired: review access")))
    if any(_portal_state_of(g) in ("not_invited", "send_failed") for g in guardians):
        badges.append(("text-bg-warning", _("a guardian is not yet invited to the portal")))
    prompt = agreement_prompt(child, practice, today)
    if prompt and prompt.is_review:
        text = as_blocktranslate(
            _(
                "%(child)s turned %(age)s: the practice's default is now %(level)s — review the "
                "agreement"
            ),
            child=child.preferred_name or child.first_name,
            age=prompt.age,
            level=sharing_label(prompt.level).lower(),
        )
        badges.append(("text-bg-info", text))
    child.recent_misses = values["recent_misses"]
    child.barrier_recently_recorded = values["barrier_recently_recorded"]
    if asks_about_barriers(child):
        count = values["recent_misses"]
        text = as_blocktranslate(
            ngettext(
                "%(counter)s missed session recently: is something getting in the way?",
                "%(counter)s missed sessions recently: is something getting in the way?",
                count,
            ),
            counter=count,
        )
        badges.append(("text-bg-info", text))
    return badges


@dataclass(frozen=True)
class SessionToLog:
    when: str
    child: str
    status: str  # the status's label when it is not "scheduled"
    url: str


@dataclass(frozen=True)
class GoalDue:
    title: str
    child: str
    due: str
    url: str


def sessions_to_log(sessions: list) -> list[SessionToLog]:
    """The caseload's "Sessions to log" (visits' to_log()), worked out once."""
    return [
        SessionToLog(
            formats.date_format(timezone.localtime(session.scheduled_start), "D j M, H:i"),
            session.child.display_name,
            "" if session.status == "scheduled" else str(session.get_status_display()),
            reverse("session_log", args=[session.pk]),
        )
        for session in sessions
    ]


def goals_due(goals: list) -> list[GoalDue]:
    """The caseload's "Goals due for review" (goals' goals_due_for_review()), worked out once."""
    return [
        GoalDue(
            goal.title,
            goal.child.display_name,
            as_blocktranslate(
                _("review was due %(day)s"), day=formats.date_format(goal.review_date)
            ),
            reverse("goal_detail", args=[goal.pk]),
        )
        for goal in goals
    ]
