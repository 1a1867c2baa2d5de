"""Role gates for views. A user of the wrong role gets 404: the page does not exist for them."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def role_required(test: Callable) -> Callable[[View], View]:
    """A decorator: the view for users who pass `test(user)`, 404 for everyone else."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not test(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(lambda user: user.is_practice_staff)
clinician_required = role_required(lambda user: user.is_clinician)
parent_required = role_required(lambda user: user.is_parent)
practice_admin_required = role_required(lambda user: user.can_manage_practice)
intake_required = role_required(lambda user: user.is_clinician or user.can_manage_practice)
