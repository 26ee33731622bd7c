"""Invitations for people added to a team before they have a password.

An invitation link works like a password-reset link but has its own secret salt and its own,
longer lifetime (INVITATION_TIMEOUT), so reset links can stay short-lived. It stops working
once used, because choosing a password changes the hash the token is made from."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "parley.dialogues.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(
                self._make_token_with_timestamp(user, timestamp, secret), token
            ):
                break
        else:
            return False
        return self._num_seconds(self._now()) - timestamp <= settings.INVITATION_TIMEOUT


invitation_token_generator = InvitationTokenGenerator()


def invitation_link(user):
    """The absolute link a new team member opens to choose their password."""
    return settings.PARLEY_BASE_URL + reverse(
        "accept_invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )
