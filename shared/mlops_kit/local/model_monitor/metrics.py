"""The per-feature CloudWatch metrics a monitoring execution publishes, through moto's own backend.

Namespace ``aws/sagemaker/Endpoints/data-metrics``, dimensions ``Endpoint`` and
``MonitoringSchedule``, timestamped at the execution's scheduled time:
``feature_data_{name}`` (numeric columns: SampleCount, Sum, Minimum, Maximum of the window),
``feature_non_null_{name}`` (completeness) and ``feature_baseline_drift_{name}`` (the
distance to the baseline), so ``get_metric_statistics``/``get_metric_data`` and alarms
see them. Written in-process: no HTTP round trip, no credentials.
"""

from datetime import datetime, timezone

from moto.cloudwatch.models import cloudwatch_backends

NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"


def metric_data(profiles: list, drift: dict[str, float], endpoint: str, schedule: str, when: datetime) -> list[dict]:
    dimensions = [{"Name": "Endpoint", "Value": endpoint}, {"Name": "MonitoringSchedule", "Value": schedule}]
    data = []
    timestamp = when.astimezone(timezone.utc).replace(tzinfo=None)  # naive UTC, as moto's datapoints
    for profile in profiles:
        base = {"Dimensions": dimensions, "Timestamp": timestamp}
        if profile.numbers is not None and len(profile.numbers):
            numbers = profile.numbers
            data.append(base | {"MetricName": f"feature_data_{profile.name}", "StatisticValues": {
                "SampleCount": float(len(numbers)), "Sum": float(numbers.sum()),
                "Minimum": float(numbers.min()), "Maximum": float(numbers.max())}})
        data.append(base | {"MetricName": f"feature_non_null_{profile.name}", "Value": float(profile.completeness)})
        if profile.name in drift:
            data.append(base | {"MetricName": f"feature_baseline_drift_{profile.name}", "Value": float(drift[profile.name])})
    return data


def publish(account_id: str, region: str, data: list[dict]) -> None:
    if data:
        cloudwatch_backends[account_id][region].put_metric_data(NAMESPACE, data)
