from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UptakeConfig(AppConfig):
    """Non-papers, aide-mémoires and the uptake chain (built on `dialogues`)."""

    name = "uptake"
    verbose_name = _("Uptake")
