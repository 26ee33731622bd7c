"""Load the fictional demo programme. Safe to run again: it updates in place, never duplicates."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from dialogues.audit import AuditedCommand
from dialogues.demo.programme import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_USERS, PROGRAMME


class Command(AuditedCommand):
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
        # Each app that has a `demo` module adds its part, in INSTALLED_APPS order (dialogues
        # first): apps further down the chain build on the demo programme without dialogues
        # having to know them.
        for app_config in apps.get_app_configs():
            if module_has_submodule(app_config.module, "demo"):
                import_module(f"{app_config.name}.demo").load()
        self.stdout.write(
            self.style.SUCCESS(f"Demo programme loaded: {PROGRAMME['name']}.")
            + f"\nDemo logins, all with the password {DEMO_PASSWORD!r}: "
            + ", ".join(username for username, *_rest in DEMO_USERS)
            + f" (or <name>@{DEMO_DOMAIN})."
            + "\nThe admin account also asks for a code: `manage.py demo_totp_code` prints it."
        )
