"""Session pages for the care team: schedule, log (with autosaved draft), sign, addenda,
reschedule. Parents see sessions only through the portal, filtered by practice.access."""

from concurrency.exceptions import VersionError
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from goals.models import Goal
from practice.access import child_for_user
from practice.auditlog.services import audit_request, client_ip
from practice.decorators import clinician_required
from practice.forms import add_service_errors, form_saved
from practice.fragments import cached_html
from practice.models import Guardianship, User
from practice.request_time import request_now, request_practice, request_today

from . import selectors, services
from .forms import AddendumForm, RescheduleForm, ScheduleForm, SessionLogForm
from .log_changes import fingerprint
from .models import SignedLogError

SCHEDULE_FIELDS = ("planned_minutes", "modality", "location", "weeks", "book_anyway", "once_key")


@clinician_required
def session_schedule(request: HttpRequest, child_pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, child_pk)
    if not child_policy.may_write("clinical"):
        raise Http404
    practice = request_practice(request)
    form = ScheduleForm(request.POST or None, tz=practice.tz)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in SCHEDULE_FIELDS}
        try:
            sessions = services.session_schedule(
                child=child,
                clinician=request.user,
                scheduled_by=request.user,
                start=form.start(),
                now=request_now(request),
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(count)s session(s) scheduled for %(child)s.")
                % {"count": len(sessions), "child": child},
            )
            return redirect("child_detail", pk=child.pk)
    return render(request, "engagement/visits/schedule.html", {"form": form, "child": child})


def _log_form(request: HttpRequest, session, data=None):
    # A guardian with access none is not offered: the child does not exist for them here.
    attending = Guardianship.objects.filter(child=session.child).exclude(access="none")
    guardians = User.objects.filter(pk__in=attending.values("guardian_id")).order_by("full_name")
    goals = Goal.objects.filter(child=session.child, status=Goal.Status.ACTIVE).order_by("title")
    initial = {"stage": session.stage or session.child.stage}
    if data is None:  # what the log is as this page opens: a later conflict is measured from it
        initial["started_from"] = fingerprint(session)
    if session.status == "scheduled" and session.scheduled_start <= request_now(request):
        initial.update(status="attended", duration_minutes=session.planned_minutes)
    initial.update({f"goal_{r.goal_id}": r.level for r in session.ratings.all()})
    if data is None and session.draft:
        initial.update(session.draft)  # resume what was being typed before the page closed
    return SessionLogForm(data, instance=session, guardians=guardians, goals=goals, initial=initial)


def _after_logging(request: HttpRequest, session):
    """A family cancellation first asks what got in the way (optional); "assign home practice"
    opens that form for this session; otherwise back to the log, or to its page once signed."""
    if "sign" in request.POST:
        messages.success(request, _("Signed and locked. Later changes are addenda."))
        next_page = redirect("session_detail", pk=session.pk)
    else:
        messages.success(request, _("Saved. Sign the log when it is complete."))
        next_page = redirect("session_log", pk=session.pk)
    if selectors.family_cancellation_unasked(session):
        return redirect("barrier_after_cancellation", pk=session.pk)
    if "assign_home_practice" in request.POST:
        assign = reverse("home_practice_assign", args=[session.child_id])
        return redirect(f"{assign}?session={session.pk}")
    return next_page


def _save_log(request: HttpRequest, session, form):
    """One service call: save (and sign, when asked) from a form opened at its version."""
    return services.session_log_save(
        session=session,
        clinician=request.user,
        data={name: form.cleaned_data[name] for name in services.LOG_FIELDS},
        attendees=list(form.cleaned_data["guardians_attended"]),
        ratings=form.ratings(),
        today=request_today(request),
        version=form.cleaned_data["version"],
        sign="sign" in request.POST,
        ip_address=client_ip(request),
    )


def _signed_since(form) -> None:
    form.add_error(
        None,
        _(
            "This log was signed since you opened it, so nothing of yours was saved. Your text "
            "is still below: add what is missing as an addendum on the session's page."
        ),
    )


def _audit_view(request: HttpRequest, child_policy, session, **details) -> None:
    audit_request(
        request,
        child_policy=child_policy,
        child=session.child,
        action="session.view",
        target=session,
        **details,
    )


@clinician_required
def session_log(request: HttpRequest, pk: int) -> HttpResponse:
    session, child_policy = selectors.session_for_care_team(request.user, pk)
    if request.method != "POST":
        if session.is_signed:
            return redirect("session_detail", pk=pk)
        _audit_view(request, child_policy, session, page="log")
    form = _log_form(request, session, request.POST if request.method == "POST" else None)
    changes = []
    if request.method == "POST" and form.is_valid():
        try:
            if session.is_signed:
                raise SignedLogError
            session = _save_log(request, session, form)
        except SignedLogError:
            _signed_since(form)
        except services.SessionLogConflict as conflict:
            changes = form.changes_since_opened(conflict.current)
            form = _log_form(request, session, form.reopened_at(conflict.current))
            form.is_valid()
            form.add_error(None, conflict.messages)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_logging(request, session)
    return render(
        request,
        "engagement/visits/log_form.html",
        {"form": form, "session": session, "child": session.child, "changes": changes},
    )


def _autosaved_fields(request: HttpRequest) -> dict:
    draft = {key: request.POST.getlist(key) for key in request.POST}
    draft = {key: values if len(values) > 1 else values[0] for key, values in draft.items()}
    # An unticked box is absent from the POST: record it, or a reload would tick it again
    # (and "share the summary" must never come back ticked by itself).
    for name in ("child_attended", "summary_shared"):
        draft[name] = name in request.POST
    return draft


def _draft_order(request: HttpRequest) -> tuple[int | None, int | None]:
    """The version the page was opened at (signed, as the form carries it) and the page's
    count of its autosaves; either may be missing (then that check is skipped)."""
    raw = request.POST.get("version")
    version = SessionLogForm.base_fields["version"].to_python(raw) if raw else None
    sequence = request.POST.get("draft_sequence", "")
    return version, int(sequence) if sequence.isdigit() and len(sequence) < 18 else None


@require_POST
@clinician_required
def session_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    session, child_policy = selectors.session_for_care_team(request.user, pk)
    try:
        version, sequence = _draft_order(request)
        services.session_draft_save(
            session=session,
            clinician=request.user,
            draft=_autosaved_fields(request),
            version=version,
            sequence=sequence,
        )
    except VersionError:
        return HttpResponse(_("Draft not saved: reload the page."), status=400)
    except SignedLogError:
        return HttpResponse(_("Draft not saved: this log has been signed."), status=409)
    except ValidationError as error:  # not kept (DraftNotStored), or the child was discharged
        return HttpResponse(" ".join(error.messages), status=409)
    saved = timezone.localtime(session.draft_saved_at, request_practice(request).tz)
    return HttpResponse(_("Draft saved at %(time)s") % {"time": saved.strftime("%H:%M:%S")})


@clinician_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's page: for the care team, and read-only under break-the-glass (the
    addendum service refuses an emergency reader; the page offers no writes). Every view of
    it is audited, an emergency one marked so."""
    session, child_policy = selectors.session_for_reader(request.user, pk)
    form = AddendumForm(request.POST or None)
    if request.method != "POST":
        _audit_view(request, child_policy, session)
    saved = form_saved(
        request,
        form,
        lambda data: services.addendum_add(
            session=session, author=request.user, ip_address=client_ip(request), **data
        ),
        _("The addendum was added."),
    )
    if saved:
        return redirect("session_detail", pk=pk)
    now = request_now(request)
    started = session.scheduled_start <= now  # before then, nothing happened to show
    # Cached until the next write about the child, or until the session begins.
    record = cached_html(
        request,
        "session-record",
        lambda: render_to_string(
            "engagement/visits/_detail_record.html",
            _detail_context(session, child_policy, form, now, started),
            request,
        ),
        child_policy=child_policy,
        versions=(session.child.record_version, session.pk, started),
    )
    context = {"session": session, "child": session.child, "record": record}
    return render(request, "engagement/visits/detail.html", context)


def _detail_context(session, child_policy, form, now, started) -> dict:
    return {
        "session": session,
        "child": session.child,
        "form": form,
        "may_write": child_policy.may_write("clinical"),
        "started": started,
        "shown_to_family": started
        and selectors.summary_shown_to_family(session, child_policy, now),
        "addenda": list(session.addenda.select_related("author")),
        "ratings": list(session.ratings.select_related("goal")),
        "attendees": list(session.guardians_attended.all()) if started else [],
    }


@clinician_required
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    session, child_policy = selectors.session_for_care_team(request.user, pk)
    practice = request_practice(request)
    form = RescheduleForm(request.POST or None, tz=practice.tz)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.session_reschedule(
                session=session,
                by=request.user,
                start=form.start(),
                now=request_now(request),
                book_anyway=form.cleaned_data["book_anyway"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            start = timezone.localtime(new.scheduled_start, practice.tz)
            messages.success(
                request, _("Rescheduled to %(when)s.") % {"when": start.strftime("%a %d %b, %H:%M")}
            )
            return redirect("child_detail", pk=session.child.pk)
    return render(
        request,
        "engagement/visits/reschedule.html",
        {"form": form, "session": session, "child": session.child},
    )
