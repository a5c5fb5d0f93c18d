"""session.wait_for_next_monitoring_run: the next hourly run, at once on local, awaited on aws."""

import threading
import time
from datetime import timedelta

import boto3
import pytest
from test_model_monitor_executions import (
    ENDPOINT, SCHEDULE, baseline_job, create_schedule, deploy_with_capture, send, traffic, with_column,
)

from mlops_kit.local import clock
from mlops_kit.monitoring_runs import next_top_of_hour
from mlops_kit.session import WorkshopSession


def workshop_session(backend: str, server_url: str) -> WorkshopSession:
    return WorkshopSession(backend=backend, region="us-east-1", bucket="monitor-tests",
                           role_arn="arn:aws:iam::123456789012:role/SageMakerRole", sagemaker_session=None,
                           boto_session=boto3.Session(), endpoint_url=server_url if backend == "local" else None)


@pytest.fixture
def monitored():
    assert baseline_job()["ProcessingJobStatus"] == "Completed"
    deploy_with_capture(ENDPOINT)
    create_schedule()


def test_local_runs_each_next_hour_at_once_and_leaves_the_clock_at_five_past(monitored, server_url, capsys):
    session = workshop_session("local", server_url)
    send(traffic(rows=60))
    tick = next_top_of_hour(clock.server_time())

    first = session.wait_for_next_monitoring_run(SCHEDULE)
    send(traffic(rows=60, change=with_column("AGE", lambda value: str(int(value) + 23))))
    second = session.wait_for_next_monitoring_run(SCHEDULE)

    assert (first["ScheduledTime"], first["MonitoringExecutionStatus"]) == (tick, "Completed")
    assert (second["ScheduledTime"], second["MonitoringExecutionStatus"]) == (
        tick + timedelta(hours=1), "CompletedWithViolations")
    assert clock.server_time().replace(second=0, microsecond=0) == tick + timedelta(hours=1, minutes=5)
    assert f"the {tick:%H:%M} run analysed" in capsys.readouterr().out


def test_local_returns_the_run_that_real_time_already_made_when_the_hour_passed_before_the_call(monitored, server_url):
    session = workshop_session("local", server_url)
    send(traffic(rows=60))
    tick = next_top_of_hour(clock.server_time())
    time.sleep(1.5)  # the capture buffer is written to S3
    clock.advance(to=tick + timedelta(seconds=1))  # stand-in for real time passing the top of the hour

    execution = session.wait_for_next_monitoring_run(SCHEDULE)

    assert (execution["ScheduledTime"], execution["MonitoringExecutionStatus"]) == (tick, "Completed")
    assert clock.server_time() < tick + timedelta(minutes=5)  # nothing more was run


def test_local_without_new_traffic_returns_the_next_hour_empty_not_the_last_run_again(monitored, server_url):
    session = workshop_session("local", server_url)
    send(traffic(rows=60))
    first = session.wait_for_next_monitoring_run(SCHEDULE)

    second = session.wait_for_next_monitoring_run(SCHEDULE)

    assert second["ScheduledTime"] == first["ScheduledTime"] + timedelta(hours=1)
    assert second["MonitoringExecutionStatus"] == "Failed" and "no data" in second["FailureReason"]


def test_a_schedule_that_does_not_exist_is_named_on_either_backend(server_url):
    for backend in ("local", "aws"):
        with pytest.raises(RuntimeError, match="no monitoring schedule 'no-such-schedule': check the name"):
            workshop_session(backend, server_url).wait_for_next_monitoring_run("no-such-schedule")


def test_local_says_what_to_check_when_no_run_was_due(monitored, server_url):
    boto3.client("sagemaker").stop_monitoring_schedule(MonitoringScheduleName=SCHEDULE)
    send(traffic(rows=20))

    with pytest.raises(RuntimeError, match="did not run at .* is it hourly"):
        workshop_session("local", server_url).wait_for_next_monitoring_run(SCHEDULE)


def test_aws_polls_until_the_next_top_of_the_hour_run_has_finished(monitored, server_url):
    send(traffic(rows=40))
    tick = next_top_of_hour(clock.server_time())
    # Stand-in for AWS running the schedule a little later: the local clock passes the hour.
    later = threading.Timer(0.5, lambda: clock.advance(hours=1, url=server_url))
    later.start()
    started = time.monotonic()

    execution = workshop_session("aws", server_url).wait_for_next_monitoring_run(SCHEDULE, poll_seconds=0.1)

    later.join()
    assert time.monotonic() - started >= 0.5
    assert (execution["ScheduledTime"], execution["MonitoringExecutionStatus"]) == (tick, "Completed")


def test_aws_gives_up_after_the_timeout_saying_where_to_look(monitored, server_url):
    with pytest.raises(TimeoutError, match="describe_monitoring_schedule"):
        workshop_session("aws", server_url).wait_for_next_monitoring_run(SCHEDULE, timeout_minutes=0.005,
                                                                         poll_seconds=0.05)
