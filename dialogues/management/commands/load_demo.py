"""Load the fictional demo programme. Safe to run again: it updates in place, never duplicates."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dialogues import demo
from dialogues.demo.programme import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Load the fictional demo programme and its users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-debug",
            action="store_true",
            help="Load even though DEBUG is off (test and staging databases only).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        # The demo creates a superuser with a published password: never on a real database.
        if not settings.DEBUG and not options["without_debug"]:
            raise CommandError(
                "The demo creates accounts with a published password, so it runs only with "
                "DEBUG=1. On a test or staging database, pass --without-debug."
            )
        programme = demo.load()
        self.stdout.write(
            self.style.SUCCESS(f"Demo programme loaded: {programme.name}.")
            + f"\nDemo logins, all with the password {DEMO_PASSWORD!r}: "
            + ", ".join(username for username, *_rest in DEMO_USERS)
            + f" (or <name>@{DEMO_DOMAIN})."
        )
