"""The fictional demo programme, loaded by `manage.py load_demo`. Everything here is invented:
the country of Veloria, its actors and every person. Each module loads one area and is safe
to run again (it updates in place, never duplicates)."""

from dialogues.demo import actor_map, participants, programme, rounds, second_factor, sessions


def load():
    """Load everything, in dependency order. Returns the programme."""
    demo_programme, dialogues = programme.load()
    second_factor.load()
    actors = actor_map.load(demo_programme)
    participants.load(demo_programme, dialogues)
    rounds.load(dialogues, actors)
    sessions.load(dialogues)
    return demo_programme
