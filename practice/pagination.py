"""The long lists' pages (audit log, outbox), as templates/practice/_pagination.html shows them."""

from django.core.paginator import Paginator

PER_PAGE = 50


def page_context(request, rows) -> dict:
    """The page the request asks for, and the query string without it, so "Older" and "Newer"
    keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return {"page": page, "query": query.urlencode()}
