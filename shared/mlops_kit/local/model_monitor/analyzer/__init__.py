"""Model Monitor's built-in analyzer (the ``sagemaker-model-monitor-analyzer`` image), run in-process.

Formats and rules follow docs/model-monitor-formats.md: Deequ's type
inference and KLL sketches, statistics.json / constraints.json / constraint_violations.json,
the Simple/Robust distances, monitoring schedules and their executions.
"""
