"""How a CloudWatch metric alarm decides its state: pure rules, no moto, no clock.

Why a module of its own: moto stores alarms but never evaluates them, and the rules
(periods, statistics, M out of N, missing data) are worth testing without a server.
``evaluate(config, samples, now, current_state)`` follows AWS's documented behaviour
("Evaluating an alarm" and "Configuring how CloudWatch alarms treat missing data"):

- Periods are aligned to multiples of ``Period`` seconds since the epoch; the newest is the
  one holding ``now`` (its data so far count). The evaluation range is the newest
  ``EvaluationPeriods + EXTRA_PERIODS`` periods.
- If the range holds at least N = EvaluationPeriods real datapoints, the N newest are
  evaluated and missing periods do not matter. Otherwise every real datapoint is evaluated
  and the missing ones are treated per TreatMissingData: ``breaching`` / ``notBreaching``
  fill them in; ``ignore`` keeps the current state when the outcome would depend on them;
  ``missing`` (the default) decides on the real datapoints alone (M capped at their count)
  and gives INSUFFICIENT_DATA when there are none.
- ALARM when at least M = DatapointsToAlarm (default N) evaluated datapoints breach, else OK.

Percentiles (``ExtendedStatistic`` "p90", "p99.9") use the nearest-rank method over the raw
values of a period; values sent only as StatisticValues have no distribution and are left
out of percentiles (AWS cannot compute them from statistic sets either).
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

EXTRA_PERIODS = 2
OPERATORS = {
    "GreaterThanThreshold": ("greater than", lambda value, threshold: value > threshold),
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda value, threshold: value >= threshold),
    "LessThanThreshold": ("less than", lambda value, threshold: value < threshold),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda value, threshold: value <= threshold),
}
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
MISSING_DATA_TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")
OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class AlarmConfigError(ValueError):
    """An alarm setting the evaluator cannot work with (the message names the field)."""


@dataclass(frozen=True)
class AlarmConfig:
    """What PutMetricAlarm sets that evaluation needs (one metric, no metric math)."""

    period: int
    evaluation_periods: int
    threshold: float
    comparison_operator: str
    statistic: str | None = None
    extended_statistic: str | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None

    def __post_init__(self):
        if self.comparison_operator not in OPERATORS:
            raise AlarmConfigError(f"ComparisonOperator {self.comparison_operator!r} is not evaluated locally; use one "
                                   f"of {', '.join(OPERATORS)}.")
        if (self.statistic is None) == (self.extended_statistic is None):
            raise AlarmConfigError("Set exactly one of Statistic and ExtendedStatistic.")
        if self.statistic is not None and self.statistic not in STATISTICS:
            raise AlarmConfigError(f"Statistic {self.statistic!r} is not one of {', '.join(STATISTICS)}.")
        if self.extended_statistic is not None:
            percentile_of(self.extended_statistic)
        if self.treatment not in MISSING_DATA_TREATMENTS:
            raise AlarmConfigError(f"TreatMissingData {self.treat_missing_data!r} is not one of "
                                   f"{', '.join(MISSING_DATA_TREATMENTS)}.")
        if self.period <= 0 or self.evaluation_periods <= 0:
            raise AlarmConfigError("Period and EvaluationPeriods must be positive.")
        if not 0 < self.required <= self.evaluation_periods:
            raise AlarmConfigError(f"DatapointsToAlarm ({self.datapoints_to_alarm}) must be between 1 and "
                                   f"EvaluationPeriods ({self.evaluation_periods}).")

    @property
    def required(self) -> int:
        """M: breaching datapoints needed for ALARM."""
        return self.datapoints_to_alarm or self.evaluation_periods

    @property
    def treatment(self) -> str:
        return self.treat_missing_data or "missing"

    @property
    def statistic_name(self) -> str:
        return self.statistic or self.extended_statistic


@dataclass(frozen=True)
class Sample:
    """One stored datum: a single value, or a statistic set (``values`` empty)."""

    timestamp: datetime
    count: float
    total: float
    minimum: float
    maximum: float
    values: tuple[float, ...] = ()

    @classmethod
    def of_value(cls, timestamp: datetime, value: float) -> "Sample":
        return cls(timestamp, 1.0, value, value, value, (value,))


@dataclass(frozen=True)
class Datapoint:
    """One period of the evaluation: its start and statistic (None when missing)."""

    start: datetime
    value: float | None
    sample_count: float = 0.0


@dataclass(frozen=True)
class Evaluation:
    state: str
    reason: str
    reason_data: dict = field(default_factory=dict)


def percentile_of(extended_statistic: str) -> float:
    try:
        percent = float(extended_statistic[1:]) if extended_statistic.startswith("p") else math.nan
    except ValueError:
        percent = math.nan
    if not 0 <= percent <= 100:
        raise AlarmConfigError(f"ExtendedStatistic {extended_statistic!r} is not evaluated locally; use a "
                               "percentile such as p90 or p99.9.")
    return percent


def statistic_value(config: AlarmConfig, samples: list[Sample]) -> float | None:
    """The period's statistic, or None when it has no data for it."""
    count = sum(sample.count for sample in samples)
    if not samples or count == 0:
        return None
    if config.statistic == "SampleCount":
        return count
    if config.statistic == "Sum":
        return sum(sample.total for sample in samples)
    if config.statistic == "Average":
        return sum(sample.total for sample in samples) / count
    if config.statistic == "Minimum":
        return min(sample.minimum for sample in samples)
    if config.statistic == "Maximum":
        return max(sample.maximum for sample in samples)
    values = sorted(value for sample in samples for value in sample.values)
    if not values:
        return None
    rank = math.ceil(percentile_of(config.extended_statistic) / 100 * len(values))
    return values[max(rank, 1) - 1]


def period_start(moment: datetime, period: int) -> datetime:
    seconds = (moment - _EPOCH).total_seconds()
    return _EPOCH + timedelta(seconds=math.floor(seconds / period) * period)


def datapoints(config: AlarmConfig, samples: list[Sample], now: datetime) -> list[Datapoint]:
    """The evaluation range, newest period first."""
    newest = period_start(now, config.period)
    step = timedelta(seconds=config.period)
    starts = [newest - step * index for index in range(config.evaluation_periods + EXTRA_PERIODS)]
    by_start: dict[datetime, list[Sample]] = {start: [] for start in starts}
    for sample in samples:
        start = period_start(sample.timestamp, config.period)
        if start in by_start:
            by_start[start].append(sample)
    return [Datapoint(start, statistic_value(config, by_start[start]),
                      sum(sample.count for sample in by_start[start])) for start in starts]


def evaluate(config: AlarmConfig, samples: list[Sample], now: datetime, current_state: str) -> Evaluation | None:
    """The state the alarm should be in at ``now``, with AWS's reason and reason data.

    None means "keep the current state" (TreatMissingData ``ignore`` when missing data decide).
    """
    comparison = OPERATORS[config.comparison_operator][1]
    in_range = datapoints(config, samples, now)
    real = [point for point in in_range if point.value is not None]
    n, m = config.evaluation_periods, config.required
    if len(real) >= n:
        evaluated, filled = real[:n], 0
    else:
        evaluated, filled = real, n - len(real)
    breaching = sum(1 for point in evaluated if comparison(point.value, config.threshold))
    if filled and config.treatment == "missing":
        if not real:
            return _insufficient(config, in_range[:n], now)
        m = min(m, len(real))
        filled = 0
    if filled and config.treatment == "ignore":
        with_breaching = breaching + filled >= m
        if with_breaching != (breaching >= m):
            return None
        filled = 0
    if filled and config.treatment == "breaching":
        breaching += filled
    state = ALARM if breaching >= m else OK
    missing_used = [point for point in in_range[:n] if point.value is None][:filled]
    return _crossed(config, state, current_state, evaluated, missing_used, breaching, m, now)


def _insufficient(config: AlarmConfig, unknown: list[Datapoint], now: datetime) -> Evaluation:
    count = len(unknown)
    reason = f"Insufficient Data: {count} datapoint{'s were' if count != 1 else ' was'} unknown."
    return Evaluation(INSUFFICIENT_DATA, reason, _reason_data(config, [], unknown, now))


def _crossed(config: AlarmConfig, state: str, current_state: str, evaluated: list[Datapoint],
             missing_used: list[Datapoint], breaching: int, m: int, now: datetime) -> Evaluation:
    n = config.evaluation_periods
    phrase, comparison = OPERATORS[config.comparison_operator]
    data = _reason_data(config, evaluated, missing_used, now)
    if not evaluated:
        treated = "Breaching" if config.treatment == "breaching" else "NonBreaching"
        periods = len(missing_used)
        reason = (f"Threshold Crossed: no datapoints were received for {periods} period{'s' * (periods != 1)} and "
                  f"{periods} missing datapoint{'s were' if periods != 1 else ' was'} treated as [{treated}].")
        return Evaluation(state, reason, data)
    if state == ALARM:
        listed = [point for point in evaluated if comparison(point.value, config.threshold)]
        count, minimum, verb = breaching, m, phrase
    else:
        listed = [point for point in evaluated if not comparison(point.value, config.threshold)]
        count, minimum, verb = len(evaluated) + len(missing_used) - breaching, n - m + 1, f"not {phrase}"
    shown = ", ".join(f"{point.value!r} ({point.start:%d/%m/%y %H:%M:%S})" for point in listed)
    reason = (f"Threshold Crossed: {count} out of the last {n} datapoints [{shown}] "
              f"{'were' if count != 1 else 'was'} {verb} the threshold ({float(config.threshold)!r}) "
              f"(minimum {minimum} datapoint{'s' * (minimum != 1)} for {current_state} -> {state} transition).")
    return Evaluation(state, reason, data)


def _reason_data(config: AlarmConfig, evaluated: list[Datapoint], missing: list[Datapoint], now: datetime) -> dict:
    points = sorted(evaluated + missing, key=lambda point: point.start, reverse=True)
    oldest = points[-1].start if points else period_start(now, config.period)
    return {
        "version": "1.0",
        "queryDate": aws_time(now),
        "startDate": aws_time(oldest),
        "statistic": config.statistic_name,
        "period": config.period,
        "recentDatapoints": [point.value for point in sorted(evaluated, key=lambda point: point.start)],
        "threshold": float(config.threshold),
        "evaluatedDatapoints": [
            {"timestamp": aws_time(point.start)} | ({"sampleCount": point.sample_count, "value": point.value}
                                                if point.value is not None else {})
            for point in points
        ],
    }


def aws_time(moment: datetime) -> str:
    """AWS's reason-data time format, e.g. 2026-11-28T17:00:00.000+0000."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
