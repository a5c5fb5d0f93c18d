"""A trial component as SageMaker's Search returns it: parameters, artifacts, metric summaries, parents."""

import math
from datetime import datetime, timezone
from typing import Any

from moto.sagemaker.models import FakeTrialComponent, SageMakerModelBackend


def as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(float(value), tz=timezone.utc)


def metric_summaries(component: FakeTrialComponent) -> list[dict[str, Any]]:
    """TrialComponentMetricSummary per metric; Last is the latest point (ties: last logged)."""
    summaries = []
    for metric_name, points in list(component.metrics.items()):
        values = [point["Value"] for point in points]
        latest = max(enumerate(points), key=lambda item: (item[1]["Timestamp"], item[0]))[1]
        mean = sum(values) / len(values)
        summaries.append(
            {
                "MetricName": metric_name,
                "TimeStamp": latest["Timestamp"],
                "Max": max(values),
                "Min": min(values),
                "Last": latest["Value"],
                "Count": len(values),
                "Avg": mean,
                "StdDev": math.sqrt(sum((value - mean) ** 2 for value in values) / len(values)),
            }
        )
    return summaries


def trial_component_record(backend: SageMakerModelBackend, component: FakeTrialComponent) -> dict[str, Any]:
    """A trial component in the Search result's ``TrialComponent`` shape."""
    record = {
        "TrialComponentName": component.trial_component_name,
        "DisplayName": component.display_name,
        "TrialComponentArn": component.arn,
        "Status": component.status,
        "StartTime": component.start_time,
        "EndTime": component.end_time,
        "CreationTime": component.creation_time,
        "CreatedBy": component.created_by,
        "LastModifiedTime": component.last_modified_time,
        "LastModifiedBy": component.last_modified_by,
        "Parameters": dict(component.parameters),
        "InputArtifacts": dict(component.input_artifacts),
        "OutputArtifacts": dict(component.output_artifacts),
        "Metrics": metric_summaries(component),
        "MetadataProperties": component.metadata_properties,
        "Tags": list(component.tags),
        "Parents": _parents(backend, component.trial_component_name),
    }
    return {key: value for key, value in record.items() if value is not None}


def _parents(backend: SageMakerModelBackend, component_name: str) -> list[dict[str, str]]:
    return [
        {"TrialName": trial.trial_name, "ExperimentName": trial.experiment_name}
        for trial in list(backend.trials.values())
        if component_name in trial.trial_components
    ]
