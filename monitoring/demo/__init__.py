"""Demo M&E for the fictional programme loaded by `manage.py load_demo`, one module per part,
each made through the services and safe to run again."""

from monitoring.demo import indicators, outputs, risks


def load():
    indicators.load()
    outputs.load()
    risks.load()
