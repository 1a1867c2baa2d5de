from .models import Practice


def practice(request):
    """The practice's name for every page's header (one small query, cached per request)."""
    if not hasattr(request, "_practice"):
        request._practice = Practice.get()
    return {"practice": request._practice}
