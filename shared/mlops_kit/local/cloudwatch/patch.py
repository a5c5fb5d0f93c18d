"""CloudWatch metric alarms that evaluate on the local backend (moto stores them but never does).

- A new metric alarm starts INSUFFICIENT_DATA ("Unchecked: Initial alarm creation") and is
  evaluated at once; an updated one keeps its state, as on AWS.
- Alarms on a metric are evaluated whenever data for it arrive: moto's
  ``CloudWatchBackend.put_metric_data`` is wrapped, so PutMetricData over HTTP and in-server
  writers (Model Monitor's executions) both count. Every alarm is evaluated again when the
  kit's clock (``clock.py``) moves, at ``clock.now()``, so data age out as simulated hours pass.
- The rules are in ``mlops_kit.local.cloudwatch.alarm_rules``, the state changes in ``alarm_state``. A state change sets StateValue, StateReason,
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
from datetime import datetime

from moto.cloudwatch.exceptions import InvalidParameterCombination, ValidationError
from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

from .. import clock
from ..seams import add_action, install_once
from . import alarm_rules as alarms
from .alarm_state import (INITIAL_REASON, alarm_config, aware, change_state, evaluate_alarm, evaluate_alarms, history,
                          lock, naive, record)

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
        with lock:
            previous = self.alarms.get(name)
            alarm = original(self, name, *args, **kwargs)
            if alarm.rule is not None:
                return alarm
            now = clock.now()
            alarm.configuration_updated_timestamp = naive(now)
            if previous is not None and previous.rule is None:
                for attribute in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp"):
                    setattr(alarm, attribute, getattr(previous, attribute))
                record(self, alarm, now, "ConfigurationUpdate", f'Alarm "{name}" updated',
                        {"version": "1.0", "type": "Update"})
            else:
                alarm.state_value, alarm.state_reason = "INSUFFICIENT_DATA", INITIAL_REASON
                alarm.state_reason_data = "{}"
                alarm.state_updated_timestamp = naive(now)
                record(self, alarm, now, "ConfigurationUpdate", f'Alarm "{name}" created',
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
        received = naive(clock.now())  # AWS stamps untimed data on receipt: here, the backend clock's time
        metric_data = [datum if datum.get("Timestamp") else datum | {"Timestamp": received} for datum in metric_data]
        original(self, namespace, metric_data)
        names = {str(datum.get("MetricName")) for datum in metric_data}
        evaluate_alarms(self, clock.now(), namespace, names)

    return put_metric_data


def _recording_set_alarm_state(original):
    @functools.wraps(original)
    def set_alarm_state(self, alarm_name, reason, reason_data, state_value):
        with lock:
            alarm = self.alarms.get(alarm_name)
            old = (alarm.state_value, alarm.state_reason) if alarm is not None else None
            original(self, alarm_name, reason, reason_data, state_value)  # validates, then sets the fields
            if old[0] == state_value:
                alarm.state_updated_timestamp = naive(clock.now())
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
             and (not start or aware(item["Timestamp"]) >= aware(start))
             and (not end or aware(item["Timestamp"]) <= aware(end))]
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
