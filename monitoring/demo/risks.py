"""Demo risks (filled in by the risks work)."""


def load():
    return None
