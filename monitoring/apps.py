from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Monitoring and evaluation (reads `dialogues` and `uptake`, never the reverse)."""

    name = "monitoring"
    verbose_name = _("Monitoring and evaluation")
