"""Which container images the local backend can stand in for, recognised by their ECR URI.

The URIs are those ``sagemaker.core.image_uris.retrieve`` returns, in any region:
``<account>.dkr.ecr.<region>.amazonaws.com/sagemaker-xgboost:1.7-1`` and
``.../sagemaker-scikit-learn:1.2-1-cpu-py3``. Anything else cannot run here (no Docker),
and the job fails saying which images can.
"""

import re

XGBOOST_VERSIONS = ("1.0-1", "1.2-1", "1.2-2", "1.3-1", "1.5-1", "1.7-1", "3.0-5", "3.2-0")

_ECR = r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/"
_XGBOOST = re.compile(_ECR + r"sagemaker-xgboost:(?P<version>[^/]+)$")
_SKLEARN = re.compile(_ECR + r"sagemaker-scikit-learn:(?P<version>[\w.-]+)-cpu-py3\d*$")

XGBOOST_HINT = ('image_uris.retrieve("xgboost", region, "1.7-1") (or "3.0-5", "3.2-0"); '
                "supported versions: " + ", ".join(XGBOOST_VERSIONS))
SKLEARN_HINT = 'image_uris.retrieve("sklearn", region, "1.2-1")'


def xgboost_version(image: str | None) -> str | None:
    """The built-in XGBoost version of an image URI, or None if it is not one we can run."""
    match = _XGBOOST.match(image or "")
    if match and match["version"] in XGBOOST_VERSIONS:
        return match["version"]
    return None


def is_script_image(image: str | None) -> bool:
    """A framework image that runs a learner's Python script: scikit-learn or XGBoost."""
    return bool(_SKLEARN.match(image or "")) or xgboost_version(image) is not None


# Built-in SageMaker containers the kit runs in-process, by ECR repository name (tag ignored):
# ``runner(environment, local_root, log) -> ExitMessage`` raises JobFailed to fail the job.
# Extensions register theirs (model_monitor: sagemaker-model-monitor-analyzer).
BUILT_IN_CONTAINERS: dict = {}
_REPOSITORY = re.compile(_ECR + r"(?P<repository>[a-z0-9._/-]+?)(?::[\w.-]+)?$")


def built_in_container(image: str | None):
    """The in-process runner standing in for a built-in image, or None."""
    match = _REPOSITORY.match(image or "")
    return BUILT_IN_CONTAINERS.get(match["repository"]) if match else None
