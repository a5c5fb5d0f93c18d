"""Where an endpoint's model artifact is (a model's ModelDataUrl or its package's) and its bytes,
with SageMaker's FailureReason when it is missing. S3 is moto's own backend, in-process."""

from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from ...s3_uri import split_s3_uri
from .model_loader import ModelArtifactError


def model_data_url(backend, model_name: str) -> str:
    """The S3 URL of a model's artifact: its container's ModelDataUrl, or its model package's."""
    model = backend._models.get(model_name)
    if model is None:
        raise ModelArtifactError(f"Model {model_name} does not exist (was it deleted before the endpoint was deployed?).")
    containers = [model.primary_container] if model.primary_container else list(model.containers or [])
    if len(containers) != 1:
        raise ModelArtifactError(
            f"Model {model_name} has {len(containers)} containers; the local backend serves single-container "
            "XGBoost models (PrimaryContainer with ModelDataUrl or ModelPackageName)."
        )
    container = containers[0]
    if container.get("ModelDataUrl"):
        return container["ModelDataUrl"]
    if container.get("ModelPackageName"):
        package = backend.describe_model_package(container["ModelPackageName"])
        package_containers = (package.inference_specification or {}).get("Containers", [])
        urls = [c["ModelDataUrl"] for c in package_containers if c.get("ModelDataUrl")]
        if len(urls) != 1:
            raise ModelArtifactError(
                f"Model package {container['ModelPackageName']} should have one InferenceSpecification "
                f"container with a ModelDataUrl; it has {len(urls)}."
            )
        return urls[0]
    raise ModelArtifactError(
        f"Model {model_name} has no ModelDataUrl: create it with PrimaryContainer={{'Image': ..., "
        "'ModelDataUrl': 's3://.../model.tar.gz'}} or PrimaryContainer={'ModelPackageName': ...}."
    )


def s3_backend(account_id: str, region: str):
    return s3_backends[account_id][get_partition(region)]


def read_artifact(account_id: str, region: str, url: str) -> bytes:
    bucket, key = split_s3_uri(url)
    missing = ModelArtifactError(
        f"Failed to download model data(bucket: {bucket}, key: {key}). Please ensure that there is an object "
        "located at the URL and that the role passed to CreateModel has permissions to download the model. "
        "(On the local backend: did the training job finish and write its model.tar.gz there?)"
    )
    try:
        found = s3_backend(account_id, region).get_object(bucket, key)
    except Exception as error:  # moto raises MissingBucket for an unknown bucket
        raise missing from error
    if found is None:
        raise missing
    return found.value
