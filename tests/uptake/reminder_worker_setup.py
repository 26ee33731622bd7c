"""Data for the killed-worker test (tests/uptake/test_reminder_worker.py), run against that
test's own database with `manage.py shell < tests/uptake/reminder_worker_setup.py`.

A programme with an officer and a facilitator, eight delivered non-papers whose forty
commitments fall due in three days, and their forty "due in 7 days" reminders planned.
Prints, as one JSON line, the reminder ids in delivery order and the recipients' ids."""

import datetime
import json

from django.utils import timezone

from dialogues.models import Membership
from dialogues.services.teams import membership_add
from tests.dialogues.factories import DialogueFactory, ProgrammeFactory, UserFactory
from tests.uptake.chain_factories_c import delivered_non_paper
from uptake.models import Commitment
from uptake.services.reminders import reminder_recipients, reminders_due, reminders_plan

NON_PAPERS = 8
STEPS = 5

programme = ProgrammeFactory(name="Killed worker programme")
team = {}
for username, role in (
    ("worker-facilitator", Membership.Role.FACILITATOR),
    ("worker-officer", Membership.Role.PROGRAMME_OFFICER),
):
    user = UserFactory(username=username)
    membership_add(programme=programme, email=user.email, role=role, actor=None)
    team[username] = user
dialogue = DialogueFactory(programme=programme, title="Killed worker dialogue")
for number in range(NON_PAPERS):
    delivered_non_paper(
        dialogue, team["worker-facilitator"], step_count=STEPS, title=f"Non-paper {number + 1}"
    )
Commitment.objects.update(due_on=timezone.now().date() + datetime.timedelta(days=3))
reminders_plan()
due = reminders_due()
recipients = sorted(
    user.pk for user in reminder_recipients(Commitment.objects.first().reminders.get())
)
print(json.dumps({"reminders": due, "recipients": recipients}))
