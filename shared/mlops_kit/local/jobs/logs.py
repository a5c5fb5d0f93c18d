"""A job's container output, written to CloudWatch Logs where the SDK reads it.

Group ``/aws/sagemaker/TrainingJobs`` or ``/aws/sagemaker/ProcessingJobs``, stream
``{job}/algo-1-{epoch}``: ``ModelTrainer.train(logs=True)`` and
``ScriptProcessor.run(logs=True)`` list streams by the ``{job}/`` prefix and print them.
Written through moto's own logs backend in the server process (no HTTP round trip, and
the job thread does not need to know the server's port).
"""

import time

from moto.logs.exceptions import ResourceAlreadyExistsException
from moto.logs.models import logs_backends

TRAINING_GROUP = "/aws/sagemaker/TrainingJobs"
PROCESSING_GROUP = "/aws/sagemaker/ProcessingJobs"


class JobLog:
    """Append lines to one job's log stream, creating the group and stream on first use."""

    def __init__(self, account_id: str, region: str, group: str, job_name: str):
        self.backend = logs_backends[account_id][region]
        self.group = group
        self.stream = f"{job_name}/algo-1-{int(time.time())}"
        try:
            self.backend.create_log_group(group, tags={})
        except ResourceAlreadyExistsException:
            pass
        self.backend.ensure_log_stream(group, self.stream)

    def write(self, *lines: str) -> None:
        now = int(time.time() * 1000)
        events = [{"timestamp": now, "message": line} for line in lines if line]
        if events:
            self.backend.put_log_events(self.group, self.stream, events)
