"""The benchmark's bare view: a tiny template behind the same middleware and session as every
page, the limit no page can beat (README, "Performance"). Only the bench's URLconf
(practice/bench_urls.py, selected by BENCH_BARE_VIEW) routes it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bare(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/bare.html")
