"""A cap on the size of every request body, uploaded files included."""

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


class RequestBodyLimitMiddleware:
    """Answers 413, with a page saying what the limit is, when a request declares a body
    larger than settings.REQUEST_MAX_BYTES; nothing of the body is read. Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE leaves uploaded files out: without this, a file of any size
    is streamed to a temporary file before a form can say it is too large.

    Under WSGI, Django reads no more than the declared Content-Length, and nothing without
    one, so the declaration is all there is to check. Goes after the authentication and
    message middleware (the page shows the signed-in menu) and before anything reads the
    body: the CSRF check does, in the view phase, which a refused request never reaches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads a malformed length as none, so no body either
        if declared > settings.REQUEST_MAX_BYTES:
            context = {
                "limit": filesizeformat(settings.REQUEST_MAX_BYTES),
                "attachment_limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            }
            return render(request, "413.html", context, status=413)
        return self.get_response(request)
