"""The one failure a job reports as its own: kept free of moto so containers can raise it."""


class JobFailed(Exception):
    """The job failed for a reason the learner can act on; str() is the FailureReason."""
