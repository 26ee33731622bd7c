from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class InvitedUsersPasswordResetForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password. In Parley those are
    people invited to a team who have not chosen a password yet: let them ask for a link, so
    an expired invitation never locks them out."""

    def get_users(self, email):
        return (
            user
            for user in get_user_model()
            ._default_manager.filter(email__iexact=email, is_active=True)
            .iterator()
            if user.email.casefold() == email.casefold()
        )
