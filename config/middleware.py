"""Response headers Django has no setting for."""

from django.utils.cache import patch_cache_control


class NoStoreForSignedInMiddleware:
    """Every response to someone signed in is theirs alone: `Cache-Control: private, no-store`,
    so neither a shared proxy nor the browser's cache and back button keeps a copy of a page
    that may name a participant once they have logged out. Static files never get here
    (WhiteNoise answers them first) and stay cacheable.

    Goes after the session middleware: the user is read as the response leaves, so responses
    from any middleware below it (a CSRF refusal, a lockout page) are covered too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
