import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .models import Practice
from .request_time import serving

SESSION_KEY = "last_activity"
# The time of a staff member's last request is stored at most this often (seconds), so a staff
# session is saved about once a minute, not on every request. Never more than half the idle
# timeout, so someone active is never signed out by the coarser clock.
ACTIVITY_WRITE_EVERY = 60


class StaffIdleTimeoutMiddleware:
    """Signs staff out after STAFF_IDLE_TIMEOUT seconds without a request.

    Clinical records stay open on shared clinic computers; parents keep their longer session.
    The time of the last request is written to the session at most once every
    ACTIVITY_WRITE_EVERY seconds (or whenever the session is saved anyway), so a staff member is
    signed out at most that much earlier than the timeout after their last request, never later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_practice_staff:
            return self.get_response(request)
        now = int(time.time())
        last = request.session.get(SESSION_KEY)
        if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT:
            logout(request)
            messages.info(request, _("You were signed out after a period of inactivity."))
            return redirect_to_login(request.get_full_path())
        every = min(ACTIVITY_WRITE_EVERY, settings.STAFF_IDLE_TIMEOUT // 2)
        if last is None or now - last >= every:
            request.session[SESSION_KEY] = now
        response = self.get_response(request)
        # A session saved for another reason (a message, a form step) carries the time for free.
        session = getattr(request, "session", None)
        if session is not None and session.modified and SESSION_KEY in session:
            session[SESSION_KEY] = max(session[SESSION_KEY], now)
        return response


class NoStoreMiddleware:
    """No page of the site is kept by the browser or a proxy: `Cache-Control: no-store` (with
    Django's never-cache set) on every response that reaches Django.

    Every page, not only signed-in ones: after sign-out on a shared clinic computer, the back
    button must show nothing, and a sign-in page kept in a cache would carry a stale CSRF
    token. Static files are answered by WhiteNoise before this runs, so they stay cacheable.
    A view that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            response.headers["Pragma"] = "no-cache"
        return response


class PracticeTimezoneMiddleware:
    """Every page shows times in the practice's timezone (stored times are UTC). The practice
    it loads is the request's (`request.practice`, read through practice.request_time), so a
    page asks for it once; while the request is served, practice.request_time answers from it
    (`current_practice()`, the user's guardianships)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.practice = Practice.get()
        timezone.activate(request.practice.tz)
        try:
            with serving(request):
                return self.get_response(request)
        finally:
            timezone.deactivate()
