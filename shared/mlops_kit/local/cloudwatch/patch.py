"""CloudWatch metric alarms that evaluate on the local backend (moto stores them but never does).

- A new metric alarm starts INSUFFICIENT_DATA ("Unchecked: Initial alarm creation") and is
  evaluated at once; an updated one keeps its state, as on AWS.
- Alarms on a metric are evaluated whenever data for it arrive: moto's
  ``CloudWatchBackend.put_metric_data`` is wrapped, so PutMetricData over HTTP and in-server
  writers (Model Monitor's executions) both count. Every alarm is evaluated again when the
  kit's clock (``clock.py``) moves, at ``clock.now()``, so data age out as simulated hours pass.
- The rules are in ``mlops_kit.local.cloudwatch.alarm_rules``. A state change sets StateValue, StateReason,
  StateReasonData and StateUpdatedTimestamp, records a StateUpdate history item
  (DescribeAlarmHistory is added as an action) and, when actions are enabled, publishes
  AWS's alarm notification JSON to the SNS topics of AlarmActions / OKActions /
  InsufficientDataActions through moto's own SNS backend (so SQS subscribers receive it).
  Other action kinds (Auto Scaling, EC2, Lambda) are recorded as failed, not run.
- SetAlarmState keeps moto's behaviour and, like AWS, records the change and runs actions;
  the next evaluation (new data or a clock move) puts the alarm back to its computed state.

Alarms that use metric math, anomaly detection or composite rules are not evaluated:
their StateReason says so. State lives on moto's Alarm objects and the history on the
CloudWatch backend instance, so ``/moto-api/reset`` clears both.
"""

import functools
import json
import logging
import threading
from datetime import datetime, timezone

import botocore.session
from moto.cloudwatch.exceptions import InvalidParameterCombination, ValidationError
from moto.cloudwatch.models import CloudWatchBackend, MetricAggregatedDatum, cloudwatch_backends
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.sns.models import sns_backends

from .. import clock
from ..seams import add_action, install_once
from . import alarm_rules as alarms

SEAMS: list[tuple] = [  # Alarms evaluated on new data and clock moves, history, SNS actions.
    ("moto.cloudwatch.models.CloudWatchBackend.put_metric_alarm", "callable",
     ("name", "namespace", "metric_name", "comparison_operator", "evaluation_periods", "period", "threshold",
      "statistic", "dimensions", "alarm_actions")),
    ("moto.cloudwatch.models.CloudWatchBackend.set_alarm_state", "callable",
     ("alarm_name", "reason", "reason_data", "state_value")),
    ("moto.cloudwatch.models.CloudWatchBackend.alarms", "backend_attribute"),
    ("moto.cloudwatch.models.CloudWatchBackend.metric_data", "backend_attribute"),
    ("moto.cloudwatch.models.Alarm.__init__", "callable",
     ("name", "namespace", "metric_name", "metric_data_queries", "comparison_operator", "evaluation_periods",
      "datapoints_to_alarm", "period", "threshold", "statistic", "extended_statistic", "description", "dimensions",
      "alarm_actions", "ok_actions", "insufficient_data_actions", "unit", "actions_enabled", "treat_missing_data",
      "evaluate_low_sample_count_percentile", "rule")),
    ("moto.cloudwatch.models.MetricDatum.__init__", "callable", ("namespace", "name", "value", "dimensions", "timestamp")),
    ("moto.cloudwatch.models.MetricAggregatedDatum.__init__", "callable",
     ("min_stat", "max_stat", "sample_count", "sum_stat")),
    ("moto.cloudwatch.responses.CloudWatchResponse.describe_alarm_history", "kit_action"),
    ("moto.sns.models.sns_backends", "attribute"),
    ("moto.sns.models.SNSBackend.publish", "callable", ("message", "arn", "subject")),
]

HISTORY_ATTRIBUTE = "mlops_kit_alarm_history"
INITIAL_REASON = "Unchecked: Initial alarm creation"
ACTIONS_BY_STATE = {"ALARM": "alarm_actions", "OK": "ok_actions", "INSUFFICIENT_DATA": "insufficient_data_actions"}

logger = logging.getLogger(__name__)
_lock = threading.RLock()  # evaluations come from request threads, the monitor's executions and the clock


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
    with _lock:
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
    moment = _aware(datum.timestamp)
    if isinstance(datum, MetricAggregatedDatum):
        return alarms.Sample(moment, float(datum.sample_count), float(datum.sum), float(datum.min), float(datum.max))
    return alarms.Sample.of_value(moment, float(datum.value))


def change_state(backend: CloudWatchBackend, alarm, state: str, reason: str, reason_data: str, now: datetime) -> None:
    """Move the alarm to ``state``: its fields, a StateUpdate history item, then its actions."""
    old_state, old_reason = alarm.state_value, alarm.state_reason
    alarm.state_value, alarm.state_reason, alarm.state_reason_data = state, reason, reason_data
    alarm.state_updated_timestamp = _naive(now)
    _record(backend, alarm, now, "StateUpdate", f"Alarm updated from {old_state} to {state}", {
        "version": "1.0",
        "oldState": {"stateValue": old_state, "stateReason": old_reason},
        "newState": {"stateValue": state, "stateReason": reason,
                     "stateReasonData": json.loads(reason_data or "{}")},
    })
    if alarm.actions_enabled:
        for action in list(getattr(alarm, ACTIONS_BY_STATE[state]) or []):
            _run_action(backend, alarm, action, old_state, now)


def _record(backend: CloudWatchBackend, alarm, now: datetime, kind: str, summary: str, data: dict) -> None:
    history(backend).append({"AlarmName": alarm.name, "AlarmType": "MetricAlarm", "Timestamp": _naive(now),
                             "HistoryItemType": kind, "HistorySummary": summary, "HistoryData": json.dumps(data)})


# ---- actions --------------------------------------------------------------------------


def _run_action(backend: CloudWatchBackend, alarm, action: str, old_state: str, now: datetime) -> None:
    """Publish the notification to an SNS topic (moto's SNS backend, in-process); record the outcome."""
    parts = action.split(":")
    if len(parts) < 6 or parts[2] != "sns":
        _record(backend, alarm, now, "Action", f"Failed to execute action {action}", {
            "actionState": "Failed", "stateUpdateTimestamp": _millis(now),
            "error": "The local backend runs only SNS topic actions (arn:aws:sns:...)."})
        return
    region, account = parts[3], parts[4]
    subject = f'{alarm.state_value}: "{alarm.name}" in {_region_name(backend.region_name)}'
    message = notification(backend, alarm, old_state)
    try:
        sns_backends[account][region].publish(message, arn=action, subject=subject[:100])
    except Exception as error:  # noqa: BLE001 - a missing topic must not break the metric write that evaluated
        _record(backend, alarm, now, "Action", f"Failed to execute action {action}", {
            "actionState": "Failed", "stateUpdateTimestamp": _millis(now), "error": str(error)})
        return
    _record(backend, alarm, now, "Action", f"Successfully executed action {action}", {
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
        "AlarmConfigurationUpdatedTimestamp": _millis(_aware(alarm.configuration_updated_timestamp)),
        "NewStateValue": alarm.state_value, "NewStateReason": alarm.state_reason,
        "StateChangeTime": _millis(_aware(alarm.state_updated_timestamp)),
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


# ---- moto patches ---------------------------------------------------------------------


def validate_alarm_settings(settings: dict) -> None:
    """Refuse what AWS refuses (moto stores anything), naming the parameter to fix."""
    statistic, extended = settings.get("statistic"), settings.get("extended_statistic")
    if statistic and statistic not in alarms.STATISTICS:
        raise ValidationError(f"1 validation error detected: Value '{statistic}' at 'statistic' failed to satisfy "
                              f"constraint: Member must satisfy enum value set: [{', '.join(alarms.STATISTICS)}]. "
                              "For percentiles use ExtendedStatistic, e.g. p90.")
    if settings.get("metric_name") and bool(statistic) == bool(extended):
        raise InvalidParameterCombination("Exactly one of the Statistic and ExtendedStatistic parameters must be "
                                          "specified for an alarm on a metric.")
    treatment = settings.get("treat_missing_data")
    if treatment and treatment not in alarms.MISSING_DATA_TREATMENTS:
        raise ValidationError(f"TreatMissingData '{treatment}' is not supported: use one of "
                              f"{', '.join(alarms.MISSING_DATA_TREATMENTS)}.")
    required, periods = settings.get("datapoints_to_alarm"), settings.get("evaluation_periods")
    if required and periods and int(required) > int(periods):
        raise ValidationError(f"DatapointsToAlarm ({required}) must be less than or equal to EvaluationPeriods "
                              f"({periods}).")


def _evaluating_put_metric_alarm(original):
    @functools.wraps(original)
    def put_metric_alarm(self, name, *args, **kwargs):
        validate_alarm_settings(kwargs)
        with _lock:
            previous = self.alarms.get(name)
            alarm = original(self, name, *args, **kwargs)
            if alarm.rule is not None:
                return alarm
            now = clock.now()
            alarm.configuration_updated_timestamp = _naive(now)
            if previous is not None and previous.rule is None:
                for attribute in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp"):
                    setattr(alarm, attribute, getattr(previous, attribute))
                _record(self, alarm, now, "ConfigurationUpdate", f'Alarm "{name}" updated',
                        {"version": "1.0", "type": "Update"})
            else:
                alarm.state_value, alarm.state_reason = "INSUFFICIENT_DATA", INITIAL_REASON
                alarm.state_reason_data = "{}"
                alarm.state_updated_timestamp = _naive(now)
                _record(self, alarm, now, "ConfigurationUpdate", f'Alarm "{name}" created',
                        {"version": "1.0", "type": "Create"})
            try:
                alarm_config(alarm)
            except alarms.AlarmConfigError as error:
                alarm.state_reason = f"{INITIAL_REASON}. The local backend does not evaluate this alarm: {error}."
                return alarm
            evaluate_alarm(self, alarm, now)
            return alarm

    return put_metric_alarm


def _evaluating_put_metric_data(original):
    @functools.wraps(original)
    def put_metric_data(self, namespace, metric_data):
        received = _naive(clock.now())  # AWS stamps untimed data on receipt: here, the backend clock's time
        metric_data = [datum if datum.get("Timestamp") else datum | {"Timestamp": received} for datum in metric_data]
        original(self, namespace, metric_data)
        names = {str(datum.get("MetricName")) for datum in metric_data}
        evaluate_alarms(self, clock.now(), namespace, names)

    return put_metric_data


def _recording_set_alarm_state(original):
    @functools.wraps(original)
    def set_alarm_state(self, alarm_name, reason, reason_data, state_value):
        with _lock:
            alarm = self.alarms.get(alarm_name)
            old = (alarm.state_value, alarm.state_reason) if alarm is not None else None
            original(self, alarm_name, reason, reason_data, state_value)  # validates, then sets the fields
            if old[0] == state_value:
                alarm.state_updated_timestamp = _naive(clock.now())
                return
            alarm.state_value, alarm.state_reason = old  # change_state sets them again, records and acts
            change_state(self, alarm, state_value, reason, reason_data or "{}", clock.now())

    return set_alarm_state


def describe_alarm_history(self) -> ActionResult:
    """DescribeAlarmHistory (moto has none): filters by name, item type and dates; newest first by default."""
    name = self._get_param("AlarmName")
    kind = self._get_param("HistoryItemType")
    start, end = self._get_param("StartDate"), self._get_param("EndDate")
    types = self._get_param("AlarmTypes") or ["MetricAlarm", "CompositeAlarm"]
    items = [item for item in list(history(self.cloudwatch_backend))
             if (not name or item["AlarmName"] == name) and (not kind or item["HistoryItemType"] == kind)
             and item["AlarmType"] in types
             and (not start or _aware(item["Timestamp"]) >= _aware(start))
             and (not end or _aware(item["Timestamp"]) <= _aware(end))]
    if (self._get_param("ScanBy") or "TimestampDescending") == "TimestampDescending":
        items.reverse()
    offset = int(self._get_param("NextToken") or 0)
    limit = int(self._get_param("MaxRecords") or 100)
    page = items[offset:offset + limit]
    token = str(offset + limit) if offset + limit < len(items) else None
    return ActionResult({"AlarmHistoryItems": page, "NextToken": token})


def on_clock_advance(moment: datetime, wait: bool) -> list:
    """Clock listener: evaluate every alarm at the new time (nothing to report to the caller)."""
    for regions in list(cloudwatch_backends.values()):
        for backend in list(regions.values()):
            if backend.alarms:
                evaluate_alarms(backend, moment)
    return []


def install() -> None:
    """Evaluate alarms on new data and clock moves; add DescribeAlarmHistory."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    CloudWatchBackend.put_metric_alarm = _evaluating_put_metric_alarm(CloudWatchBackend.put_metric_alarm)
    CloudWatchBackend.put_metric_data = _evaluating_put_metric_data(CloudWatchBackend.put_metric_data)
    CloudWatchBackend.set_alarm_state = _recording_set_alarm_state(CloudWatchBackend.set_alarm_state)
    add_action(CloudWatchResponse, "describe_alarm_history", describe_alarm_history)
    clock.add_listener(on_clock_advance)


# ---- time formats ---------------------------------------------------------------------


def _aware(moment) -> datetime:
    """moto keeps naive UTC datetimes; parsed request values may be aware or ISO strings."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if isinstance(moment, (int, float)):
        return datetime.fromtimestamp(moment, timezone.utc)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _millis(moment: datetime) -> str:
    return alarms.aws_time(moment)
