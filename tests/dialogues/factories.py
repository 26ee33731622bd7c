from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from dialogues.models import (
    Actor,
    Dialogue,
    DialogueParticipant,
    Option,
    Participant,
    Programme,
    Round,
    Session,
)
from dialogues.models.rounds import ROUND_ORDER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    country = "Testland (fictional)"
    funders = "Test Fund"


class DialogueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dialogue

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Dialogue {n}")
    problem = "Agree access triggers for one corridor."


class ParticipantFactory(factory.django.DjangoModelFactory):
    """Codes here are sequential per test run, from P-10001 so that they never meet the
    three-digit codes tests write by hand (P-777); the real service numbers them per
    programme."""

    class Meta:
        model = Participant

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"P-{n + 10001}")
    full_name = factory.Faker("name")
    affiliation = "Test Institute"
    category = Participant.Category.TECHNICAL_EXPERT
    gender = Participant.Gender.WOMAN
    region = "North"


class DialogueParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DialogueParticipant

    dialogue = factory.SubFactory(DialogueFactory)
    participant = factory.SubFactory(
        ParticipantFactory, programme=factory.SelfAttribute("..dialogue.programme")
    )
    status = DialogueParticipant.Status.INVITED


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = Actor.Kind.ARMED_GROUP


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    dialogue = factory.SubFactory(DialogueFactory)
    kind = Round.Kind.FRAMING
    position = factory.LazyAttribute(lambda r: ROUND_ORDER.index(r.kind) + 1)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    dialogue = factory.SubFactory(DialogueFactory)
    title = factory.Sequence(lambda n: f"Option {n}")
    who = "Both liaison offices"
    when = "Within 30 days"
    how = "Through the existing hotline"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    dialogue = factory.SubFactory(DialogueFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=3))
    time_zone = "UTC"
