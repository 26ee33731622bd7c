from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from dialogues.forms.accounts import InvitedUsersPasswordResetForm, LoginForm
from dialogues.invitations import invitation_token_generator
from dialogues.views import second_factor

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/login/",
        second_factor.PasswordThenCodeLoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    # The second factor (dialogues.second_factor): the code step of a log-in, and the
    # account page where a person sets up or turns off their authenticator app.
    path("accounts/login/code/", second_factor.login_code, name="login_code"),
    path("accounts/second-factor/", second_factor.second_factor_status, name="second_factor"),
    path(
        "accounts/second-factor/set-up/",
        second_factor.second_factor_enrol,
        name="second_factor_enrol",
    ),
    path(
        "accounts/second-factor/turn-off/",
        second_factor.second_factor_turn_off,
        name="second_factor_turn_off",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=InvitedUsersPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            token_generator=invitation_token_generator,
            post_reset_login=True,
            post_reset_login_backend="dialogues.backends.EmailOrUsernameBackend",
            success_url="/",
        ),
        name="accept_invitation",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("dialogues.urls")),
    path("", include("uptake.urls")),
    path("", include("monitoring.urls")),
]
