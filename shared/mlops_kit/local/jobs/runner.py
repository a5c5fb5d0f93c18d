"""Background execution shared by training and processing jobs.

The server answers CreateTrainingJob / CreateProcessingJob at once with the job
InProgress, as the real service does; the work then runs in a daemon thread of the server
process and moves the job to Completed or Failed. A job's own failure (a mistake the
learner can fix) is a ``JobFailed`` whose text becomes FailureReason; anything else is a
bug of the kit, reported as such so the learner is not sent hunting in their own code.
"""

import logging
import threading
from collections.abc import Callable

from moto.core.utils import utcnow

from .failure import JobFailed

logger = logging.getLogger(__name__)

# FailureReason and ExitMessage are at most 1024 characters in the service's API.
REASON_LIMIT = 1024


def clip(text: str, limit: int = REASON_LIMIT) -> str:
    """Keep the end of a long message (where a traceback says what went wrong)."""
    return text if len(text) <= limit else "..." + text[-(limit - 3):]


def start_job(name: str, work: Callable[[], None], fail: Callable[[str], None]) -> threading.Thread:
    """Run ``work`` in the background; call ``fail(reason)`` if it raises."""

    def run() -> None:
        try:
            work()
        except JobFailed as failure:
            fail(clip(str(failure)))
        except Exception as error:  # noqa: BLE001 - any bug must still end the job
            logger.exception("local backend job %s crashed", name)
            fail(clip(f"InternalServerError: the local backend could not run job {name} "
                      f"({type(error).__name__}: {error}). This is a bug of the kit, not of "
                      "your code: see `mlops-kit server log` and report it."))

    thread = threading.Thread(target=run, name=f"mlops-kit-job-{name}", daemon=True)
    thread.start()
    return thread


__all__ = ["clip", "start_job", "utcnow"]
