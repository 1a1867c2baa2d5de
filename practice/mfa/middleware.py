from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from ..request_time import request_practice
from .services import is_enrolled

# Pages a signed-in staff member can reach before the second step: the step itself, enrolment
# (with its QR code and recovery codes) and signing out.
OPEN_BEFORE_SECOND_STEP = ("mfa_verify", "logout")
OPEN_BEFORE_ENROLMENT = ("mfa_setup", "mfa_qr_code", "mfa_recovery_codes", "logout")


class StaffTwoStepMiddleware:
    """Staff with two-step sign-in give their code before any page; where the practice requires
    it, staff without it enrol first. Families are never asked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_practice_staff:
            response = self._gate(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _gate(self, request, user):
        if user.is_verified():
            return None
        if is_enrolled(user):
            return self._send_to("mfa_verify", OPEN_BEFORE_SECOND_STEP, request)
        practice = request_practice(request)
        if practice.require_staff_mfa:
            return self._send_to("mfa_setup", OPEN_BEFORE_ENROLMENT, request)
        return None

    @staticmethod
    def _send_to(name, open_names, request):
        if request.path in {reverse(open_name) for open_name in open_names}:
            return None
        url = reverse(name)
        if request.method == "GET" and request.path != "/":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
