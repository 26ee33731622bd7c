from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from dialogues.second_factor import note_second_factor_due
        from dialogues.session_limits import stamp_sign_in

        # Start the clocks of the session's idle and absolute limits at every sign-in.
        user_logged_in.connect(stamp_sign_in, dispatch_uid="dialogues.stamp_sign_in")
        # Mark a sign-in that did not check the code its account needs (an accepted
        # invitation): SecondFactorMiddleware holds it at the code page.
        user_logged_in.connect(
            note_second_factor_due, dispatch_uid="dialogues.note_second_factor_due"
        )
