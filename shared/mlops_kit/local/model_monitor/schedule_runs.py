"""When monitoring executions run on the local backend: when the backend clock passes a
schedule's cron tick (at once on ``clock.advance``, within ``clock.TICK_SECONDS`` by the
ticker thread when real time gets there), and a NOW schedule's single run on creation.
One lock serialises them, so a tick reached by both the ticker and an advance runs once.
"""

import logging
import threading
import time
from datetime import datetime

from moto.sagemaker.models import sagemaker_backends

from .. import clock
from .executions import run_tick
from .schedules import Schedule

SCHEDULES_ATTRIBUTE = "mlops_kit_monitoring_schedules"

logger = logging.getLogger(__name__)
run_lock = threading.RLock()


def schedules(backend) -> dict[str, Schedule]:
    """The monitoring schedules kept on a SageMaker backend instance."""
    found = backend.__dict__.get(SCHEDULES_ATTRIBUTE)
    return found if found is not None else backend.__dict__.setdefault(SCHEDULES_ATTRIBUTE, {})


def _backends():
    for regions in list(sagemaker_backends.values()):
        for backend in list(regions.values()):
            if backend.__dict__.get(SCHEDULES_ATTRIBUTE):
                yield backend


def _due(moment: datetime) -> list[tuple]:
    """Claim every (backend, schedule, tick) whose tick is at or before ``moment``."""
    due = []
    for backend in _backends():
        for schedule in list(schedules(backend).values()):
            while schedule.status == "Scheduled" and schedule.next_tick is not None and schedule.next_tick <= moment:
                due.append((backend, schedule, schedule.next_tick))
                schedule.next_tick = schedule.cron.next_tick(schedule.next_tick)
    return sorted(due, key=lambda item: item[2])


def _run(due: list[tuple]) -> list[dict]:
    ran = []
    for backend, schedule, tick in due:
        if schedules(backend).get(schedule.name) is not schedule:
            continue  # deleted meanwhile
        execution = run_tick(backend, schedule, tick)
        ran.append({"schedule": schedule.name, "endpoint": schedule.endpoint_name,
                    "scheduled_time": tick.isoformat(), "status": execution.status,
                    "failure_reason": execution.failure_reason, "processing_job_arn": execution.processing_job_arn})
    return ran


def run_due(moment: datetime, wait: bool = True) -> list[dict]:
    """Run the executions due at ``moment``; with ``wait=False`` in a background thread."""
    if not wait:
        threading.Thread(target=run_due, args=(moment, True), daemon=True, name="mlops-kit-monitoring").start()
        return []
    with run_lock:
        return _run(_due(moment))


def tick_forever() -> None:
    while True:
        time.sleep(clock.TICK_SECONDS)
        try:
            clock.at_current_time(run_due)
        except Exception:  # noqa: BLE001 - the ticker must survive anything (a reset mid-run, a bug)
            logger.exception("monitoring ticker")


def start_one_time(backend, schedule: Schedule) -> None:
    """A NOW schedule's single execution, at once (in the background, as AWS starts it)."""
    moment = clock.now()

    def run():
        with run_lock:
            _run([(backend, schedule, moment)])

    threading.Thread(target=run, daemon=True, name=f"mlops-kit-monitoring-{schedule.name}").start()
