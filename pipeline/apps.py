from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """Where the data comes in and the read models are rebuilt, across the apps: the legacy import,
    the demo season, the nightly refresh and the skill model's backtest. It depends on drivers,
    factors and telemetry; none of them depends on it."""

    name = "pipeline"
    verbose_name = "Data pipeline"
