"""Parley's URLs plus one trivial logged-in view: R4's limit, what the same server does for
a request that needs no data (sessions, middleware, authentication, a tiny response)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from config.urls import urlpatterns as parley_urlpatterns


@login_required
@require_GET
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [*parley_urlpatterns, path("bench/trivial/", trivial, name="bench_trivial")]
