from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def _find_user(login):
    """The active-or-not user whose username or e-mail is `login` (case-insensitive), or None
    when there is no such user or the e-mail is shared by several accounts."""
    if not login:
        return None
    matches = list(
        get_user_model().objects.filter(Q(username__iexact=login) | Q(email__iexact=login))[:2]
    )
    return matches[0] if len(matches) == 1 else None


class EmailOrUsernameBackend(ModelBackend):
    """Log in with either the username or the e-mail address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = _find_user(username)
        if user is None:
            # Spend the same time as a real check so timing does not reveal who has an account.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def login_name_for_throttling(request, credentials):
    """django-axes counts failures per account: map an e-mail and a username of the same
    person to one name, so alternating between them does not double the attempts."""
    login = (credentials or {}).get("username", "") or ""
    user = _find_user(login)
    return user.username if user else login.strip().lower()


def client_address_for_throttling(request):
    """The address django-axes counts failures against. X-Forwarded-For is anyone's to write,
    so only the entries added by our own reverse proxies count: with TRUSTED_PROXY_COUNT
    proxies in front (each appending the address it saw), the client is the entry that many
    places from the end; whatever the client put before it is ignored. With none, or a header
    shorter than the proxies configured, the connecting address is used."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
