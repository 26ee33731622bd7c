"""Demo outputs (filled in by the outputs work)."""


def load():
    return None
