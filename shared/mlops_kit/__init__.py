"""The SageMaker MLOps workshop kit.

What a learner's notebook uses, and nothing more:
    start_session(backend)   the region, bucket, role and clients of the chosen backend
    check("labN.exercise")   run the checks of an exercise and show the result
    submit("labN")           write the lab's submission file to hand in

Everything else in the labs is real SageMaker SDK and boto3 code.
"""

from mlops_kit.grading import check
from mlops_kit.grading.submit import submit


def start_session(backend: str = "local", **options):
    """Start a workshop session (see mlops_kit.session.start_session).

    Imported on first use: the SageMaker SDK is slow to import and lab 0 never needs it.
    """
    from mlops_kit.session import start_session as start

    return start(backend, **options)


__all__ = ["check", "start_session", "submit"]
