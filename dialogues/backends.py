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
