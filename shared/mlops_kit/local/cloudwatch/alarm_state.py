"""An alarm's state on the local backend: evaluated by ``alarm_rules`` on the stored data, each
change recorded in its history and its actions run (AWS's notification JSON to SNS)."""

import functools
import json
import logging
import threading
from datetime import datetime, timezone

import botocore.session
from moto.cloudwatch.models import CloudWatchBackend, MetricAggregatedDatum
from moto.sns.models import sns_backends

from . import alarm_rules as alarms

HISTORY_ATTRIBUTE = "mlops_kit_alarm_history"
INITIAL_REASON = "Unchecked: Initial alarm creation"
ACTIONS_BY_STATE = {"ALARM": "alarm_actions", "OK": "ok_actions", "INSUFFICIENT_DATA": "insufficient_data_actions"}

logger = logging.getLogger(__name__)
lock = threading.RLock()  # evaluations come from request threads, the monitor's executions and the clock


# ---- evaluation -----------------------------------------------------------------------


def history(backend: CloudWatchBackend) -> list[dict]:
    """The alarm history items kept on a CloudWatch backend instance, oldest first."""
    found = backend.__dict__.get(HISTORY_ATTRIBUTE)
    return found if found is not None else backend.__dict__.setdefault(HISTORY_ATTRIBUTE, [])


def alarm_config(alarm) -> alarms.AlarmConfig:
    """The evaluator's view of a moto Alarm; AlarmConfigError when it cannot be evaluated locally."""
    if alarm.rule is not None or alarm.metric_data_queries or not alarm.metric_name:
        raise alarms.AlarmConfigError("it uses metric math or a composite rule; only alarms on one metric "
                                      "(MetricName, Namespace, Dimensions) are evaluated")
    return alarms.AlarmConfig(
        period=int(alarm.period), evaluation_periods=int(alarm.evaluation_periods), threshold=float(alarm.threshold),
        comparison_operator=alarm.comparison_operator, statistic=alarm.statistic or None,
        extended_statistic=alarm.extended_statistic or None,
        datapoints_to_alarm=int(alarm.datapoints_to_alarm) if alarm.datapoints_to_alarm else None,
        treat_missing_data=alarm.treat_missing_data or None)


def evaluate_alarm(backend: CloudWatchBackend, alarm, now: datetime, stored: dict | None = None) -> None:
    """Evaluate one alarm at ``now`` (over ``stored``, from ``stored_data``) and apply a state change, if any."""
    with lock:
        try:
            config = alarm_config(alarm)
        except alarms.AlarmConfigError as error:
            logger.info("Alarm %s is not evaluated locally: %s", alarm.name, error)
            return
        stored = stored_data(backend, [alarm]) if stored is None else stored
        samples = [_sample(datum) for datum in stored.get(_alarm_key(alarm), [])
                   if not alarm.unit or datum.unit == alarm.unit]
        result = alarms.evaluate(config, samples, now, alarm.state_value)
        if result is not None and result.state != alarm.state_value:
            change_state(backend, alarm, result.state, result.reason, json.dumps(result.reason_data), now)


def evaluate_alarms(backend: CloudWatchBackend, now: datetime, namespace: str | None = None,
                    metric_names: set[str] | None = None) -> None:
    """Evaluate the backend's metric alarms (only those on the given metrics, when given)."""
    chosen = [alarm for alarm in list(backend.alarms.values())
              if namespace is None or (alarm.namespace == namespace and alarm.metric_name in metric_names)]
    if chosen:
        stored = stored_data(backend, chosen)
        for alarm in chosen:
            evaluate_alarm(backend, alarm, now, stored)


def stored_data(backend: CloudWatchBackend, chosen: list) -> dict[tuple, list]:
    """The backend's datums of the alarms' metrics, by metric identity (namespace, name, full dimension set)."""
    names = {(alarm.namespace, alarm.metric_name) for alarm in chosen}
    found: dict[tuple, list] = {}
    for datum in list(backend.metric_data):
        if (datum.namespace, datum.name) in names:
            key = (datum.namespace, datum.name, frozenset((dim.name, dim.value) for dim in datum.dimensions))
            found.setdefault(key, []).append(datum)
    return found


def _alarm_key(alarm) -> tuple:
    return alarm.namespace, alarm.metric_name, frozenset((dim.name, dim.value) for dim in alarm.dimensions)


def _sample(datum) -> alarms.Sample:
    moment = aware(datum.timestamp)
    if isinstance(datum, MetricAggregatedDatum):
        return alarms.Sample(moment, float(datum.sample_count), float(datum.sum), float(datum.min), float(datum.max))
    return alarms.Sample.of_value(moment, float(datum.value))


def change_state(backend: CloudWatchBackend, alarm, state: str, reason: str, reason_data: str, now: datetime) -> None:
    """Move the alarm to ``state``: its fields, a StateUpdate history item, then its actions."""
    old_state, old_reason = alarm.state_value, alarm.state_reason
    alarm.state_value, alarm.state_reason, alarm.state_reason_data = state, reason, reason_data
    alarm.state_updated_timestamp = naive(now)
    record(backend, alarm, now, "StateUpdate", f"Alarm updated from {old_state} to {state}", {
        "version": "1.0",
        "oldState": {"stateValue": old_state, "stateReason": old_reason},
        "newState": {"stateValue": state, "stateReason": reason,
                     "stateReasonData": json.loads(reason_data or "{}")},
    })
    if alarm.actions_enabled:
        for action in list(getattr(alarm, ACTIONS_BY_STATE[state]) or []):
            _run_action(backend, alarm, action, old_state, now)


def record(backend: CloudWatchBackend, alarm, now: datetime, kind: str, summary: str, data: dict) -> None:
    history(backend).append({"AlarmName": alarm.name, "AlarmType": "MetricAlarm", "Timestamp": naive(now),
                             "HistoryItemType": kind, "HistorySummary": summary, "HistoryData": json.dumps(data)})


# ---- actions --------------------------------------------------------------------------


def _run_action(backend: CloudWatchBackend, alarm, action: str, old_state: str, now: datetime) -> None:
    """Publish the notification to an SNS topic (moto's SNS backend, in-process); record the outcome."""
    parts = action.split(":")
    if len(parts) < 6 or parts[2] != "sns":
        record(backend, alarm, now, "Action", f"Failed to execute action {action}", {
            "actionState": "Failed", "stateUpdateTimestamp": _millis(now),
            "error": "The local backend runs only SNS topic actions (arn:aws:sns:...)."})
        return
    region, account = parts[3], parts[4]
    subject = f'{alarm.state_value}: "{alarm.name}" in {_region_name(backend.region_name)}'
    message = notification(backend, alarm, old_state)
    try:
        sns_backends[account][region].publish(message, arn=action, subject=subject[:100])
    except Exception as error:  # noqa: BLE001 - a missing topic must not break the metric write that evaluated
        record(backend, alarm, now, "Action", f"Failed to execute action {action}", {
            "actionState": "Failed", "stateUpdateTimestamp": _millis(now), "error": str(error)})
        return
    record(backend, alarm, now, "Action", f"Successfully executed action {action}", {
        "actionState": "Succeeded", "stateUpdateTimestamp": _millis(now), "notificationResource": action,
        "publishedMessage": message})


def notification(backend: CloudWatchBackend, alarm, old_state: str) -> str:
    """AWS's alarm notification message (the JSON an SNS subscriber receives as Message)."""
    trigger = {
        "MetricName": alarm.metric_name, "Namespace": alarm.namespace,
        "StatisticType": "ExtendedStatistic" if alarm.extended_statistic else "Statistic",
        "Unit": alarm.unit,
        "Dimensions": [{"value": dimension.value, "name": dimension.name} for dimension in alarm.dimensions],
        "Period": int(alarm.period), "EvaluationPeriods": int(alarm.evaluation_periods),
        "ComparisonOperator": alarm.comparison_operator, "Threshold": float(alarm.threshold),
        "TreatMissingData": alarm.treat_missing_data or "missing",
        "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile or "",
    }
    if alarm.extended_statistic:
        trigger["ExtendedStatistic"] = alarm.extended_statistic
    else:
        trigger["Statistic"] = str(alarm.statistic).upper()
    if alarm.datapoints_to_alarm:
        trigger["DatapointsToAlarm"] = int(alarm.datapoints_to_alarm)
    return json.dumps({
        "AlarmName": alarm.name, "AlarmDescription": alarm.description, "AWSAccountId": backend.account_id,
        "AlarmConfigurationUpdatedTimestamp": _millis(aware(alarm.configuration_updated_timestamp)),
        "NewStateValue": alarm.state_value, "NewStateReason": alarm.state_reason,
        "StateChangeTime": _millis(aware(alarm.state_updated_timestamp)),
        "Region": _region_name(backend.region_name), "AlarmArn": alarm.alarm_arn, "OldStateValue": old_state,
        "OKActions": list(alarm.ok_actions or []), "AlarmActions": list(alarm.alarm_actions or []),
        "InsufficientDataActions": list(alarm.insufficient_data_actions or []), "Trigger": trigger,
    })


@functools.cache
def _region_name(region: str) -> str:
    """'US East (N. Virginia)' for us-east-1, from botocore's bundled endpoint data (no network)."""
    for partition in botocore.session.get_session().get_data("endpoints")["partitions"]:
        if region in partition["regions"]:
            return partition["regions"][region].get("description", region)
    return region


# ---- time formats ---------------------------------------------------------------------


def aware(moment) -> datetime:
    """moto keeps naive UTC datetimes; parsed request values may be aware or ISO strings."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if isinstance(moment, (int, float)):
        return datetime.fromtimestamp(moment, timezone.utc)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _millis(moment: datetime) -> str:
    return alarms.aws_time(moment)
