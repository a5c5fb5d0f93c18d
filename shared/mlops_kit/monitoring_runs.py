"""The next run of an hourly monitoring schedule, on either backend (``session.wait_for_next_monitoring_run``).

Why: an hourly Model Monitor schedule runs at the top of each hour (up to 20 minutes late)
and analyses the hour before it. On AWS a lab can only wait for it; on the local backend
the backend's clock (``mlops_kit.local.clock``) is moved to 5 minutes past the next top
of the hour instead, which runs that hour's execution at once. Either way the learner's
code reads the same execution summary, so the lab stays portable.

"The next run" is the one that analyses the traffic just sent: the top of the hour after
the newest captured record, and never one this session has returned already. So a run
that started while the learner was reading (a real top of the hour passing) is the one
returned, and calling again without sending traffic gives the next, empty, hour.
"""

import time
from datetime import datetime, timedelta, timezone

from mlops_kit.s3_uri import split_s3_prefix

FINISHED = ("Completed", "CompletedWithViolations", "Failed", "Stopped")


def next_top_of_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def latest_execution(sagemaker, schedule_name: str, scheduled_at: datetime | None = None) -> dict | None:
    """The schedule's most recent execution (or the one scheduled at ``scheduled_at``), if any."""
    summaries = sagemaker.list_monitoring_executions(
        MonitoringScheduleName=schedule_name, SortBy="ScheduledTime", SortOrder="Descending",
        MaxResults=24)["MonitoringExecutionSummaries"]
    if scheduled_at is not None:
        summaries = [s for s in summaries if s["ScheduledTime"] == scheduled_at]
    return summaries[0] if summaries else None


def next_run_time(session, schedule_name: str, now: datetime) -> datetime:
    """The scheduled time of the run that analyses the newest captured traffic (see the module's docstring)."""
    after_traffic = newest_capture_hour(session, schedule_name)
    candidates = [next_top_of_hour(after_traffic) if after_traffic else next_top_of_hour(now)]
    returned = session._returned_monitoring_runs.get(schedule_name)
    if returned is not None:
        candidates.append(returned + timedelta(hours=1))
    return max(candidates)


def newest_capture_hour(session, schedule_name: str) -> datetime | None:
    """The hour folder (yyyy/mm/dd/hh) of the endpoint's newest capture file, if any."""
    sagemaker = session.client("sagemaker")
    try:
        schedule = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=schedule_name)
    except sagemaker.exceptions.ResourceNotFound:
        raise RuntimeError(f"There is no monitoring schedule {schedule_name!r}: check the name, or create it first "
                           "(create_monitoring_schedule).") from None
    endpoint = sagemaker.describe_endpoint(EndpointName=schedule["EndpointName"])
    destination = endpoint.get("DataCaptureConfig", {}).get("DestinationS3Uri")
    if not destination:
        return None
    bucket, prefix = split_s3_prefix(destination)
    pages = session.client("s3").get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=f"{prefix}/{endpoint['EndpointName']}/".lstrip("/"))
    hours = [datetime(*map(int, item["Key"].split("/")[-5:-1]), tzinfo=timezone.utc)
             for page in pages for item in page.get("Contents", [])]
    return max(hours, default=None)


def run_next_locally(session, schedule_name: str) -> dict:
    """Move the local backend's clock to 5 past the next run's hour (unless real time got there first)."""
    from mlops_kit.local import clock

    now = clock.server_time(session.endpoint_url)
    tick = next_run_time(session, schedule_name, now)
    if now < tick:
        clock.advance(to=tick + timedelta(minutes=5), url=session.endpoint_url)
        print(f"Backend clock moved to {tick + timedelta(minutes=5):%H:%M} UTC: ", end="")
    execution = finished_run(session, schedule_name, tick, timeout_seconds=10, poll_seconds=0.2)
    if execution is None:
        raise RuntimeError(f"Monitoring schedule {schedule_name!r} did not run at {tick:%Y-%m-%d %H:%M} UTC: is it "
                           "hourly (cron(0 * ? * * *)) and Scheduled? describe_monitoring_schedule says why.")
    print(f"the {tick:%H:%M} run analysed {tick - timedelta(hours=1):%H:%M}-{tick:%H:%M}.")
    return execution


def wait_on_aws(session, schedule_name: str, timeout_minutes: float, poll_seconds: float) -> dict:
    """Poll until the run after the newest traffic has finished (AWS starts it up to 20 minutes late)."""
    tick = next_run_time(session, schedule_name, datetime.now(timezone.utc))
    print(f"Waiting for the {tick:%H:%M} UTC run of {schedule_name} (it starts up to 20 minutes late, then takes "
          "about 10 minutes) ...")
    execution = finished_run(session, schedule_name, tick, 60 * timeout_minutes, poll_seconds)
    if execution is None:
        raise TimeoutError(f"No finished run of {schedule_name} scheduled at {tick:%H:%M} UTC after {timeout_minutes} "
                           "minutes: look at the schedule in the SageMaker console (or describe_monitoring_schedule), "
                           "then call this again.")
    return execution


def finished_run(session, schedule_name: str, tick: datetime, timeout_seconds: float, poll_seconds: float) -> dict | None:
    """The run scheduled at ``tick`` once it has finished (remembered as returned), or None after the timeout."""
    sagemaker = session.client("sagemaker")
    deadline = time.monotonic() + timeout_seconds
    while True:
        execution = latest_execution(sagemaker, schedule_name, tick)
        if execution is not None and execution["MonitoringExecutionStatus"] in FINISHED:
            session._returned_monitoring_runs[schedule_name] = tick
            return execution
        if time.monotonic() > deadline:
            return None
        time.sleep(poll_seconds)
