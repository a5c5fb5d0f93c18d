"""Deploying an endpoint configuration in a background thread: load its variants' models,
then switch the endpoint to them (Creating/Updating -> InService, or Failed with the reason;
a failed update keeps the running deployment, as on AWS).

One ``EndpointRuntime`` per endpoint is kept on the SageMaker backend instance, so
``/moto-api/reset`` clears it.
"""

import threading

from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ValidationError

from .capture import CaptureBuffer, CaptureSettings, Sampler
from .deployment import EndpointRuntime, VariantRuntime
from .model_artifacts import model_data_url, read_artifact, s3_backend
from .model_loader import ModelArtifactError, load_booster

RUNTIMES_ATTRIBUTE = "mlops_kit_endpoint_runtimes"


def runtimes(backend) -> dict[str, EndpointRuntime]:
    """The endpoint runtimes kept on a SageMaker backend instance."""
    found = backend.__dict__.get(RUNTIMES_ATTRIBUTE)
    return found if found is not None else backend.__dict__.setdefault(RUNTIMES_ATTRIBUTE, {})


def _build_runtime(backend, endpoint_name: str, config_name: str) -> EndpointRuntime:
    config = backend.endpoint_configs.get(config_name)
    if config is None:
        raise ModelArtifactError(f"Endpoint configuration {config_name} was deleted before the endpoint was deployed.")
    account_id, region = backend.account_id, backend.region_name
    variants = tuple(
        VariantRuntime(
            name=variant["VariantName"],
            weight=float(variant.get("InitialVariantWeight", 1.0)),
            booster=load_booster(
                read_artifact(account_id, region, url := model_data_url(backend, variant["ModelName"])), url
            ),
        )
        for variant in config.production_variants
    )
    capture = CaptureSettings.from_config(config.data_capture_config)
    if capture is None:
        return EndpointRuntime(variants, None, None, None)

    table = runtimes(backend)

    def write(bucket: str, key: str, body: bytes) -> None:
        if backend.__dict__.get(RUNTIMES_ATTRIBUTE) is not table:
            return  # /moto-api/reset cleared this backend: its capture goes with it
        s3_backend(account_id, region).put_object(bucket, key, body)

    buffer = CaptureBuffer(capture.destination_s3_uri, endpoint_name, write)
    return EndpointRuntime(variants, capture, Sampler(capture.sampling_percentage), buffer)


def capture_summary(config: dict | None) -> dict | None:
    settings = CaptureSettings.from_config(config)
    return settings.summary() if settings else None


def _deploy(backend, endpoint, config_name: str) -> None:
    """Load the config's models, then switch the endpoint to them (runs in a background thread)."""
    table = runtimes(backend)
    try:
        runtime = _build_runtime(backend, endpoint.endpoint_name, config_name)
    except Exception as error:  # whatever stops the deployment must show as FailureReason, not a stuck status
        reason = getattr(error, "message", None) or str(error)
        endpoint.failure_reason = reason if isinstance(error, (ModelArtifactError, ValidationError)) else (
            f"The local backend could not deploy the model: {type(error).__name__}: {reason}")
        # A failed update rolls back to the running deployment, as on AWS; a failed creation fails.
        endpoint.endpoint_status = "InService" if endpoint.endpoint_name in table else "Failed"
        endpoint.last_modified_time = utcnow()
        return
    if backend.endpoints.get(endpoint.endpoint_name) is not endpoint:  # deleted while its model was loading
        return
    previous = table.get(endpoint.endpoint_name)
    table[endpoint.endpoint_name] = runtime
    if previous:
        previous.close()
    config = backend.endpoint_configs.get(config_name)
    if config is not None:
        endpoint.production_variants = endpoint._process_production_variants(config.production_variants)
        endpoint.data_capture_config = capture_summary(config.data_capture_config)
    endpoint.endpoint_config_name = config_name
    endpoint.failure_reason = None
    endpoint.endpoint_status = "InService"
    endpoint.last_modified_time = utcnow()


def start_deployment(backend, endpoint, config_name: str) -> None:
    threading.Thread(target=_deploy, args=(backend, endpoint, config_name), daemon=True,
                     name=f"deploy-{endpoint.endpoint_name}").start()
