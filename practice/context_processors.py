from .request_time import request_practice


def practice(request):
    """The practice for every page's header: the request's (practice.request_time)."""
    return {"practice": request_practice(request)}
