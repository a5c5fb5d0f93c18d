"""Monitoring schedules: the cron forms SageMaker accepts, their ticks, and analysis windows.

SageMaker Model Monitor accepts only these ScheduleExpressions (API_ScheduleConfig):
``cron(0 * ? * * *)`` (hourly), ``cron(0 [00-23] ? * * *)`` (daily at that UTC hour),
``cron(0 [00-23]/[01-24] ? * * *)`` (every x hours from a start hour, within each day) and
``NOW`` (one run at once, which needs DataAnalysisStartTime and DataAnalysisEndTime).
A tick at time T analyses ``[T + DataAnalysisStartTime, T + DataAnalysisEndTime)``, by
default the hour before T. AWS starts a run 0-20 minutes after its tick; the local backend
runs it as soon as its clock (``clock.py``) passes the tick.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

NOW = "NOW"
SUPPORTED = ("SageMaker Model Monitor supports cron(0 * ? * * *) (hourly), cron(0 [00-23] ? * * *) (daily at "
             "that UTC hour), cron(0 [00-23]/[01-24] ? * * *) (every x hours from a start hour) and NOW (one run "
             "now, with DataAnalysisStartTime and DataAnalysisEndTime such as -PT1H and -PT0H); "
             "CronExpressionGenerator.hourly() gives the first.")
_CRON = re.compile(r"^cron\((?P<fields>[^()]*)\)$")
_OFFSET = re.compile(r"^-P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$")
DEFAULT_START = timedelta(hours=-1)
DEFAULT_END = timedelta(0)
MAX_WINDOW = timedelta(hours=24)


class ScheduleError(ValueError):
    """A schedule SageMaker would refuse; str() is the ValidationException message."""


@dataclass(frozen=True)
class Cron:
    """The hours of the day at which a schedule ticks (minute 0), or a one-time NOW schedule."""

    expression: str
    hours: tuple[int, ...] = ()

    @property
    def one_time(self) -> bool:
        return self.expression == NOW

    def next_tick(self, after: datetime) -> datetime:
        """The first tick strictly after ``after``."""
        tick = after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        while tick.hour not in self.hours:
            tick += timedelta(hours=1)
        return tick


def parse_cron(expression: str) -> Cron:
    """Validate a ScheduleExpression as SageMaker does; raise ScheduleError saying what is wrong."""
    text = (expression or "").strip()
    if text == NOW:
        return Cron(NOW)
    match = _CRON.match(text)
    if not match:
        raise ScheduleError(f"Invalid ScheduleExpression {expression!r}: it must be cron(...) or NOW. {SUPPORTED}")
    fields = match["fields"].split()
    if len(fields) != 6:
        raise ScheduleError(f"Invalid ScheduleExpression {expression!r}: a cron expression has 6 fields (Minutes "
                            f"Hours Day-of-month Month Day-of-week Year), this one has {len(fields)}. {SUPPORTED}")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if minutes != "0":
        raise ScheduleError(f"Invalid ScheduleExpression {expression!r}: Minutes must be 0 (runs start at the top of "
                            f"an hour), not {minutes!r}. {SUPPORTED}")
    if (day_of_month, month, day_of_week, year) != ("?", "*", "*", "*"):
        raise ScheduleError(f"Invalid ScheduleExpression {expression!r}: Day-of-month, Month, Day-of-week and Year "
                            f"must be '? * * *' (monitoring runs every day). {SUPPORTED}")
    return Cron(text, _hours(hours, expression))


def _hours(field_text: str, expression: str) -> tuple[int, ...]:
    if field_text == "*":
        return tuple(range(24))
    start, _, step = field_text.partition("/")
    if not start.isdigit() or not 0 <= int(start) <= 23:
        raise ScheduleError(f"Invalid ScheduleExpression {expression!r}: the Hours field {field_text!r} must be *, an "
                            f"hour 0-23, or start/interval such as 0/2. {SUPPORTED}")
    if not step:
        return (int(start),)
    if not step.isdigit() or not 1 <= int(step) <= 24:
        raise ScheduleError(f"Invalid ScheduleExpression {expression!r}: the interval in {field_text!r} must be "
                            f"1-24 hours. {SUPPORTED}")
    return tuple(range(int(start), 24, int(step)))


def parse_offset(text: str, name: str) -> timedelta:
    """An ISO 8601 duration before the tick, such as -PT1H (0 for -PT0H)."""
    match = _OFFSET.match((text or "").strip())
    if not match or text.strip() in ("-P", "-PT"):
        raise ScheduleError(f"{name} {text!r} is not a negative ISO 8601 duration: write for example -PT1H (one hour "
                            "before the run) or -PT0H (the run's time).")
    parts = {key: int(value or 0) for key, value in match.groupdict().items()}
    return -timedelta(**parts)


def analysis_window(schedule_config: dict | None, endpoint_input: dict | None = None) -> tuple[timedelta, timedelta]:
    """(start, end) offsets from the tick: ScheduleConfig's, else the EndpointInput's, else the hour before."""
    config = schedule_config or {}
    endpoint = endpoint_input or {}
    start_text = config.get("DataAnalysisStartTime") or endpoint.get("StartTimeOffset")
    end_text = config.get("DataAnalysisEndTime") or endpoint.get("EndTimeOffset")
    start = parse_offset(start_text, "DataAnalysisStartTime") if start_text else DEFAULT_START
    end = parse_offset(end_text, "DataAnalysisEndTime") if end_text else DEFAULT_END
    if start >= end:
        raise ScheduleError(f"DataAnalysisStartTime {start_text or '-PT1H'} must be before DataAnalysisEndTime "
                            f"{end_text or '-PT0H'}.")
    if end - start > MAX_WINDOW:
        raise ScheduleError(f"The start time ({start_text}) must not precede the end time ({end_text}) by more than "
                            "24 hours.")
    return start, end


def validate_schedule_config(schedule_config: dict | None, endpoint_input: dict | None = None) -> Cron:
    """The schedule's Cron, after every check CreateMonitoringSchedule makes on ScheduleConfig."""
    if not schedule_config:
        raise ScheduleError("MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression is required: use "
                            "CronExpressionGenerator.hourly() (cron(0 * ? * * *)).")
    cron = parse_cron(schedule_config.get("ScheduleExpression", ""))
    if cron.one_time and not (schedule_config.get("DataAnalysisStartTime")
                              and schedule_config.get("DataAnalysisEndTime")):
        raise ScheduleError("A NOW (one-time) schedule needs DataAnalysisStartTime and DataAnalysisEndTime, such as "
                            "-PT1H and -PT0H for the hour before now.")
    analysis_window(schedule_config, endpoint_input)
    return cron


@dataclass
class MonitoringExecution:
    """One monitoring execution (a row of ListMonitoringExecutions)."""

    schedule_name: str
    scheduled_time: datetime
    creation_time: datetime
    endpoint_name: str
    job_definition_name: str | None
    monitoring_type: str
    status: str = "Pending"
    last_modified_time: datetime | None = None
    processing_job_arn: str | None = None
    failure_reason: str | None = None

    def summary(self) -> dict:
        summary = {
            "MonitoringScheduleName": self.schedule_name,
            "ScheduledTime": self.scheduled_time,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time or self.creation_time,
            "MonitoringExecutionStatus": self.status,
            "ProcessingJobArn": self.processing_job_arn,
            "EndpointName": self.endpoint_name,
            "FailureReason": self.failure_reason,
            "MonitoringJobDefinitionName": self.job_definition_name,
            "MonitoringType": self.monitoring_type,
        }
        return {key: value for key, value in summary.items() if value is not None}


@dataclass
class Schedule:
    """A monitoring schedule and its executions, kept on the SageMaker backend instance."""

    name: str
    arn: str
    config: dict
    cron: Cron
    endpoint_name: str
    creation_time: datetime
    last_modified_time: datetime
    next_tick: datetime | None
    status: str = "Scheduled"
    tags: list = field(default_factory=list)
    executions: list[MonitoringExecution] = field(default_factory=list)
    failure_reason: str | None = None

    @property
    def monitoring_type(self) -> str:
        return self.config.get("MonitoringType") or "DataQuality"

    @property
    def job_definition_name(self) -> str | None:
        return self.config.get("MonitoringJobDefinitionName")

    def summary(self) -> dict:
        summary = {
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleArn": self.arn,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "MonitoringScheduleStatus": self.status,
            "EndpointName": self.endpoint_name,
            "MonitoringJobDefinitionName": self.job_definition_name,
            "MonitoringType": self.monitoring_type,
        }
        return {key: value for key, value in summary.items() if value is not None}

    def describe(self) -> dict:
        description = {
            "MonitoringScheduleArn": self.arn,
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleStatus": self.status,
            "MonitoringType": self.monitoring_type,
            "FailureReason": self.failure_reason,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "MonitoringScheduleConfig": self.config,
            "EndpointName": self.endpoint_name,
        }
        executions = list(self.executions)
        if executions:
            description["LastMonitoringExecutionSummary"] = max(executions, key=lambda e: e.scheduled_time).summary()
        return {key: value for key, value in description.items() if value is not None}
