"""The hub pages that gather from every layer: caseload, child page, portal home."""

import datetime
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from goals.selectors import goal_board, goals_due_for_review, milestones_for, recent_milestones
from practice.access import (
    ChildPolicy,
    child_for_user,
    children_for,
    current_agreement,
    policy_for,
    with_policy_data,
)
from practice.auditlog.services import audit_each, audit_request, client_ip
from practice.confidentiality import agreements_to_acknowledge
from practice.decorators import (
    clinician_required,
    parent_required,
    practice_admin_required,
    staff_required,
)
from practice.fragments import cached_html
from practice.models import Child, Practice, User
from practice.request_time import (
    request_communication_policy,
    request_now,
    request_practice,
    request_today,
)
from practice.safety.selectors import safety_concerns_for_care_team, safety_statements_for

from . import caseload as caseload_selectors
from . import family_engagement, selectors, services
from .barriers import selectors as barrier_selectors
from .confidentiality.selectors import agreement_hub, agreement_to_read
from .discharge.selectors import course_for_family, course_for_staff, latest_stage_changes
from .engagement_agreements.selectors import engagement_agreement_for_family
from .forms import ClinicianLeaveForm
from .messaging import selectors as messaging_selectors
from .observations import selectors as observation_selectors
from .observations.forms import ObservationForm
from .practice_at_home import selectors as home_practice_selectors
from .profiles.selectors import with_profiles
from .rescheduling.selectors import open_requests_for_caseload
from .visits import selectors as visit_selectors

# The portal home keeps recent safety statements in sight; the child's page keeps them all.
PORTAL_HOME_SAFETY_DAYS = datetime.timedelta(days=30)


@require_safe
@clinician_required
def caseload(request: HttpRequest) -> HttpResponse:
    practice, now, today = request_practice(request), request_now(request), request_today(request)
    communication = request_communication_policy(request)
    children = caseload_selectors.caseload_children(request.user, now=now)
    in_therapy = [child for child in children if child["discharged_on"] is None]
    page = Paginator(in_therapy, caseload_selectors.CASELOAD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "engagement/caseload.html",
        {
            "children_count": len(in_therapy),
            "page": page,
            **_caseload_fragments(request, children, page, practice, today),
            "to_log": caseload_selectors.sessions_to_log(
                visit_selectors.to_log(request.user, now, practice)
            ),
            "waiting_threads": messaging_selectors.overdue_threads(
                request.user, practice, now, communication
            ),
            "communication": communication,
            **family_engagement.for_caseload(children, now, practice.tz),
        },
    )


def _caseload_fragments(request, children, page, practice, today) -> dict:
    """The attention list, the requests to reschedule, the goals due and the children's table,
    from the fragment cache. Each is keyed on every child's version (besides the cache's own
    key: the viewer, the date, the practice's version ...): what they show changes only with a
    write to a child's record or a practice-wide one, or with the day. On a hit, none of
    their queries run."""
    user = request.user
    versions = caseload_selectors.caseload_versions(children)

    @functools.cache
    def rows():
        return caseload_selectors.caseload_rows(user, children, practice=practice, today=today)

    def fragment(name: str, template: str, context, *extra) -> str:
        def render_fragment():
            return render_to_string(f"engagement/{template}", context(), request)

        return cached_html(
            request, name, render_fragment, child_policy=None, versions=(*extra, *versions)
        )

    def table() -> dict:
        on_page = {child["pk"] for child in page.object_list}
        return {
            "rows": [row for row in rows() if row.pk in on_page],
            "discharged": [row for row in rows() if row.discharged],
            "page": page,
        }

    return {
        "attention_html": fragment(
            "caseload-attention",
            "_caseload_attention.html",
            lambda: {"attention": [row for row in rows() if row.attention]},
        ),
        "requests_html": fragment(
            "caseload-requests",
            "_caseload_requests.html",
            lambda: {"open_reschedule_requests": open_requests_for_caseload(user)},
        ),
        "goals_due_html": fragment(
            "caseload-goals-due",
            "_caseload_goals_due.html",
            lambda: {"goals_due": caseload_selectors.goals_due(goals_due_for_review(user, today))},
        ),
        "children_html": fragment(
            "caseload-children", "_caseload_children.html", table, page.number
        ),
    }


@staff_required
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, pk)
    # A view under break-the-glass is marked so, for whoever reviews the log.
    audit_request(request, child_policy=child_policy, child=child, action="child.view")
    # The record changes with a write (record_version) or, for the clinical sections, with
    # the clock (the barrier question, sessions coming up): the cached copy is keyed on both.
    clock = (
        selectors.child_page_clock(child, request_now(request)) if child_policy.clinical else None
    )
    record = cached_html(
        request,
        "child-record",
        lambda: render_to_string(
            "engagement/_child_record.html",
            _child_record(request, child, child_policy, clock),
            request,
        ),
        child_policy=child_policy,
        versions=(child.record_version, clock),
    )
    return render(request, "engagement/child_detail.html", {"child": child, "record": record})


def _child_record(request: HttpRequest, child: Child, child_policy: ChildPolicy, clock) -> dict:
    practice, now, today = request_practice(request), request_now(request), request_today(request)
    return {
        "child": child,
        "policy": child_policy,
        "age": child.age_on(today),
        "has_agreement": current_agreement(child, today) is not None,
        "board": goal_board(child_policy, child),
        "sessions": (
            visit_selectors.child_sessions(child, now, practice) if child_policy.clinical else None
        ),
        "today": today,
        "home_practice": home_practice_selectors.with_check_ins(
            home_practice_selectors.current_home_practice(child_policy, child, today),
            today,
            viewer=request.user,
        ),
        "observations": observation_selectors.observations_for_care_team(child_policy, child),
        "barriers": barrier_selectors.barriers_for_care_team(child_policy, child),
        "barrier_question": clock.barrier_question if clock else 0,
        "safety_concerns": safety_concerns_for_care_team(child_policy, child),
        "message_threads": messaging_selectors.threads_for_care_team(child_policy, child),
        **_hub(child_policy, child, practice, today),
    }


def _hub(child_policy: ChildPolicy, child: Child, practice: Practice, today) -> dict:
    """Care team, family and agreements (with who has read the one in force), and the course
    of therapy: stage history, discharge summary."""
    hub = selectors.child_hub(child)
    with_profiles(child_policy, hub["guardianships"])
    agreements = agreement_hub(
        child_policy, child, practice, today, hub["agreements"], hub["guardianships"]
    )
    engagement = family_engagement.for_staff(child_policy, child, hub["guardianships"])
    return {**hub, **agreements, **course_for_staff(child_policy, child), **engagement}


@parent_required
def portal_home(request: HttpRequest) -> HttpResponse:
    practice, now, today = request_practice(request), request_now(request), request_today(request)
    children = selectors.portal_children(request.user, practice=practice, today=today)
    child_policies = [entry.child_policy for entry in children]
    kids = [entry.child for entry in children]
    # Safety statements of the last 30 days, counted from the start of the day (the date is
    # in every fragment's key).
    since = datetime.datetime.combine(today - PORTAL_HOME_SAFETY_DAYS, datetime.time(), practice.tz)
    # What the cards show cannot change without a write to a child's record, a new day or a
    # session beginning: the cards come from the fragment cache, keyed on every child's
    # version and policy and on the next session's start, and are read (for every child at
    # once) only on a miss.
    reads = {
        "safety_statements": lambda: safety_statements_for(
            request.user, child_policies, since=since
        ),
        "next_session_start": lambda: visit_selectors.next_sessions(child_policies, now),
        "latest_summary": lambda: visit_selectors.latest_shared_summaries(child_policies, now),
        "unread_messages": lambda: messaging_selectors.unread_counts(request.user, child_policies),
        "milestones": lambda: recent_milestones(child_policies, limit=3),
        "home_practice": lambda: home_practice_selectors.home_practice_in_force(
            child_policies, today
        ),
        "agreement_to_read": lambda: agreements_to_acknowledge(request.user, kids, today),
        "latest_stage_change": lambda: latest_stage_changes(child_policies),
    }  # (a child with none of one gets [], as falsy as None in the template)
    for name, read in reads.items():
        read = functools.cache(read)
        for entry in children:
            setattr(entry, name, SimpleLazyObject(functools.partial(_of, read, entry.child.pk)))
    audit_each(
        actor=request.user,
        action="portal.home_view",
        children=[entry.child for entry in children],
        ip_address=client_ip(request),
    )
    versions = (
        tuple((entry.child_policy, entry.child.record_version) for entry in children),
        visit_selectors.next_start_of_any(kids, now),
    )
    return render(
        request,
        "engagement/portal_home.html",
        {"children": children, "home_versions": versions},
    )


def _of(read, pk: int):
    return read().get(pk, [])


class _Sections:
    """What a page's cached fragments show, read only when a fragment is rendered (a cache
    miss): each reader runs at most once, and a template reads its values through
    SimpleLazyObject, so a page whose fragments all come from the cache runs none of them."""

    def __init__(self):
        self._readers, self._read = {}, {}

    def add(self, names: tuple[str, ...], reader) -> dict:
        """Lazy context values for `names`, all taken from the dict `reader()` returns."""
        for name in names:
            self._readers[name] = reader
        return {name: SimpleLazyObject(functools.partial(self._value, name)) for name in names}

    def _value(self, name: str):
        reader = self._readers[name]
        if reader not in self._read:
            self._read[reader] = reader()
        return self._read[reader].get(name)


@parent_required
def portal_child(request: HttpRequest, pk: int) -> HttpResponse:
    practice, now, today = request_practice(request), request_now(request), request_today(request)
    user = request.user
    child = with_policy_data(children_for(user), user).filter(pk=pk).distinct().first()
    child_policy = (
        policy_for(user, child, practice=practice, today=today) if child is not None else None
    )
    if child_policy is None:
        raise Http404
    audit_request(request, child=child, action="portal.child_view")
    # The goal board, milestones, stage, summary, home practice, observations and the side
    # column cannot change without a write to the child's record (record_version) or a new
    # day (in every fragment's key): they come from the fragment cache, read here only on a
    # miss. The sessions and requests to move one change with the clock: read every time.
    sections = _Sections()
    board = SimpleLazyObject(lambda: goal_board(child_policy, child))
    return render(
        request,
        "engagement/portal_child.html",
        {
            "entry": SimpleLazyObject(lambda: selectors.portal_child(child, child_policy)),
            "child": child,
            "policy": child_policy,
            "board": board,
            "milestones": SimpleLazyObject(lambda: milestones_for(child_policy, child)),
            "family_sessions": SimpleLazyObject(
                lambda: visit_selectors.family_sessions(child_policy, child, now)
            ),
            # The sessions change with the clock only when one begins: the next start is in
            # the sessions fragment's key.
            "sessions_clock": visit_selectors.family_sessions_clock(child_policy, child, now),
            "agreement_to_read": SimpleLazyObject(lambda: agreement_to_read(user, child, today)),
            "engagement_agreement": SimpleLazyObject(
                lambda: engagement_agreement_for_family(child_policy, child, user)
            ),
            **sections.add(
                ("reschedule_requests", "asked_to_move", "family_barriers"),
                lambda: family_engagement.requests_for_portal(user, child_policy, child),
            ),
            **sections.add(
                ("stage_changes", "discharge_summary"),
                lambda: course_for_family(child_policy, child),
            ),
            "home_practice": SimpleLazyObject(
                lambda: home_practice_selectors.with_check_ins(
                    home_practice_selectors.current_home_practice(child_policy, child, today),
                    today,
                    viewer=user,
                )
            ),
            **home_practice_selectors.check_in_context(today),
            **sections.add(
                ("observation_form", "observations"),
                lambda: _observation_card(user, child_policy, child, board),
            ),
            "safety_statements": SimpleLazyObject(
                lambda: safety_statements_for(user, [child_policy]).get(child.pk, [])
            ),
        },
    )


def _observation_card(user: User, child_policy: ChildPolicy, child: Child, board) -> dict:
    """The "What you noticed at home" card: the form (to rate the goals the card offers) and
    the guardian's own observations; nothing without the `own_items` right."""
    card = observation_selectors.portal_card(user, child_policy, child, board)
    if card is None:
        return {}
    form = ObservationForm(None, goals=card.goals_to_rate)
    return {"observation_form": form, "observations": card.observations}


@practice_admin_required
def clinician_leave(request: HttpRequest, pk: int) -> HttpResponse:
    leaving = get_object_or_404(User, pk=pk, role=User.Role.CLINICIAN, is_active=True)
    form = ClinicianLeaveForm(request.POST or None, leaving=leaving)
    caseload_size = leaving.memberships.count()
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.clinician_leave(
                clinician=leaving,
                successor=form.cleaned_data["successor"],
                by=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("%(count)s children moved to %(successor)s; %(name)s can no longer sign in.")
                % {"count": moved, "successor": form.cleaned_data["successor"], "name": leaving},
            )
            return redirect("staff_list")
    return render(
        request,
        "engagement/clinician_leave.html",
        {"form": form, "leaving": leaving, "caseload_size": caseload_size},
    )
