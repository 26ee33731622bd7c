from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`manage.py bench`: the performance harness of issue 8 (no models)."""

    name = "bench"
    verbose_name = "Benchmark"
