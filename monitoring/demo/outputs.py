"""Demo outputs for the fictional programme loaded by `manage.py load_demo`: two communiqués
that took up wording from the market non-paper's delivered first version (delivered 50 days
before the demo's today). Non-papers delivered and pilots agreed need nothing here: they are
counted from the uptake demo. Made through the service. Safe to run again: a programme with
communiqué adoptions is left alone."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from dialogues.demo.programme import PROGRAMME
from dialogues.models import Programme
from monitoring.models import CommuniqueAdoption
from monitoring.services.outputs import communique_adoption_create
from uptake.demo import MARKET
from uptake.models import Document
from uptake.services.ladder import programme_today

ADOPTIONS = [
    {
        "days_ago": 21,
        "title": "Communiqué of the Joint Liaison Council, fourth meeting",
        "issuer": "Joint Liaison Council of the Sarn districts (fictional)",
        "reference": "Paragraph 7",
        "adopted_wording": "The Council welcomes the quiet windows announced around Tavel "
        "market days, each side speaking through its own channel, and takes note of the "
        "neutral incident log kept during each window.",
        "echoed_steps": [1, 2],
    },
    {
        "days_ago": 9,
        "title": "Statement of the Special Envoy at the close of the regional tour",
        "issuer": "Office of the Special Envoy (fictional)",
        "reference": "",
        "adopted_wording": "The Envoy encourages both sides to review the first market-day "
        "windows together before deciding on further steps.",
        "echoed_steps": [3],
    },
]


def load():
    programme = Programme.objects.get(name=PROGRAMME["name"])
    if CommuniqueAdoption.objects.filter(programme=programme).exists():
        return
    market = Document.objects.filter(
        dialogue__programme=programme,
        dialogue__title=MARKET,
        kind=Document.Kind.NON_PAPER,
        status=Document.Status.DELIVERED,
        version=1,
    ).first()
    if market is None:
        return  # the demo documents were changed by hand: nothing to echo
    officer = get_user_model().objects.get(username="officer")
    today = programme_today(programme)
    with transaction.atomic():
        for spec in ADOPTIONS:
            fields = {key: value for key, value in spec.items() if key != "days_ago"}
            communique_adoption_create(
                programme=programme,
                actor=officer,
                non_paper=market,
                issued_on=today - datetime.timedelta(days=spec["days_ago"]),
                **fields,
            )
