"""The bench's URLconf (settings.BENCH_BARE_VIEW, set by bench/run.py): every page of the
production URLconf, plus the bare view the benchmark measures them against."""

from django.urls import include, path

from . import bench, urls

handler400 = urls.handler400

urlpatterns = [
    path("bench/bare/", bench.bare, name="bench_bare"),
    path("", include(urls)),
]
