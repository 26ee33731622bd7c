from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Monitoring and evaluation (reads `dialogues` and `uptake`, never the reverse)."""

    name = "monitoring"
    verbose_name = _("Monitoring and evaluation")

    def ready(self):
        from monitoring.services.results_snapshots import connect_receivers

        # Kept results pages are dropped by any write to the rows behind them.
        connect_receivers()
