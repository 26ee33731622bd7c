"""Print the demo administrator's current second-factor code (dialogues.demo.second_factor).

The code comes from the demo's published secret, not from the database: this command can
never make a code for a real account."""

import time

from django.core.management.base import BaseCommand

from dialogues.demo.second_factor import DEMO_ADMIN, DEMO_TOTP_SECRET, demo_code
from dialogues.second_factor import CODE_STEP


class Command(BaseCommand):
    help = "Print the current code of the demo `admin` account's second factor."

    def handle(self, *args, **options):
        seconds_left = CODE_STEP - int(time.time()) % CODE_STEP
        self.stdout.write(demo_code())
        self.stderr.write(
            f"Code for the demo '{DEMO_ADMIN}' account, good for {seconds_left} more seconds "
            f"(and once only). Or add the key {DEMO_TOTP_SECRET} to an authenticator app."
        )
