"""The benchmark's bare view: a tiny template behind the same middleware and session as every
page, the limit no page can beat (README, "Performance"). Off unless BENCH_BARE_VIEW is set."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render


def bare(request):
    if not settings.BENCH_BARE_VIEW:
        raise Http404
    return render(request, "bench/bare.html")
