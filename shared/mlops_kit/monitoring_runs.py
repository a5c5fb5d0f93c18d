"""The next run of an hourly monitoring schedule, on either backend (``session.wait_for_next_monitoring_run``).

Why: an hourly Model Monitor schedule runs at the top of each hour (up to 20 minutes late)
and analyses the hour before it. On AWS a lab can only wait for it; on the local backend
the backend's clock (``mlops_kit.local.clock``) is moved to 5 minutes past the next top
of the hour instead, which runs that hour's execution at once. Either way the learner's
code reads the same execution summary, so the lab stays portable.

Known edge (local): before the first call the backend follows real time, so if a real top
of the hour passes between sending traffic and calling this, the backend's own ticker runs
that hour (as AWS would) and this call returns the following, empty, hour. After the
first call the clock sits at 5 past an hour, so the next 55 minutes are safe.
"""

import time
from datetime import datetime, timedelta, timezone

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


def run_next_locally(session, schedule_name: str) -> dict:
    """Move the local backend's clock to 5 past the next hour: that hour's execution runs before this returns."""
    from mlops_kit.local import clock

    tick = next_top_of_hour(clock.server_time(session.endpoint_url))
    clock.advance(to=tick + timedelta(minutes=5), url=session.endpoint_url)
    execution = latest_execution(session.client("sagemaker"), schedule_name, tick)
    if execution is None:
        raise RuntimeError(f"Monitoring schedule {schedule_name!r} did not run at {tick:%Y-%m-%d %H:%M} UTC: is it "
                           "hourly (cron(0 * ? * * *)) and Scheduled? describe_monitoring_schedule says why.")
    print(f"Backend clock moved to {tick + timedelta(minutes=5):%H:%M} UTC: the {tick:%H:%M} run analysed "
          f"{tick - timedelta(hours=1):%H:%M}-{tick:%H:%M}.")
    return execution


def wait_on_aws(session, schedule_name: str, timeout_minutes: float, poll_seconds: float) -> dict:
    """Poll until the execution of the next top of the hour has finished (AWS starts it up to 20 minutes late)."""
    tick = next_top_of_hour(datetime.now(timezone.utc))
    deadline = time.monotonic() + 60 * timeout_minutes
    print(f"Waiting for the {tick:%H:%M} UTC run of {schedule_name} (it starts up to 20 minutes late, then takes "
          "about 10 minutes) ...")
    sagemaker = session.client("sagemaker")
    while time.monotonic() < deadline:
        execution = latest_execution(sagemaker, schedule_name, tick)
        if execution is not None and execution["MonitoringExecutionStatus"] in FINISHED:
            return execution
        time.sleep(poll_seconds)
    raise TimeoutError(f"No finished run of {schedule_name} scheduled at {tick:%H:%M} UTC after {timeout_minutes} "
                       "minutes: look at the schedule in the SageMaker console (or describe_monitoring_schedule), "
                       "then call this again.")
