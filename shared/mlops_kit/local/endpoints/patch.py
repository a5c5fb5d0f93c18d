"""Endpoints that serve the real model, with Data Capture, on the local server.

moto keeps endpoint metadata only (InService at once, canned InvokeEndpoint answers that
ignore the endpoint name, no UpdateEndpoint). This extension:

- loads each production variant's model (``model.tar.gz`` -> XGBoost Booster) once per
  deployment, in a background thread: Creating -> InService, or Failed with the
  FailureReason SageMaker gives for a missing or unreadable artifact;
- adds UpdateEndpoint (Updating -> InService on the new config; the old model keeps
  answering until the new one is loaded; a failed update rolls back, as on AWS);
- reports DataCaptureConfigSummary on DescribeEndpoint and removes the empty
  ``VpcConfig {}`` / ``DataCaptureConfig {}`` moto puts in DescribeModel and
  DescribeEndpointConfig (SDK v3's pydantic parsing rejects them);
- answers InvokeEndpoint with each endpoint's own model, the XGBoost container's
  responses and errors (ModelError, HTTP 424), and writes Data Capture files.

State: one ``EndpointRuntime`` per endpoint, kept on the SageMaker backend instance so
``/moto-api/reset`` clears it. S3 is reached through moto's own S3 backend (in-process,
no HTTP round trip, no credentials: the server reads model artifacts and writes capture
files as the service itself would, and capture must not slow the request path).
"""

import functools
import threading
import uuid
from urllib.parse import unquote

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.s3.models import s3_backends
from moto.sagemaker import models as sagemaker_models
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse
from moto.utilities.utils import get_partition

from .. import clock
from ...s3_uri import split_s3_uri
from ..seams import add_action, install_once
from . import csv_inference
from .capture import CaptureBuffer, CaptureSettings, Sampler, build_record
from .deployment import EndpointRuntime, VariantRuntime
from .model_loader import ModelArtifactError, load_booster
from .responses import json_error, model_error

SEAMS: list[tuple] = [  # Model loading, endpoint lifecycle, runtime, Data Capture.
    ("moto.sagemaker.models.Model.__init__", "callable", ("vpc_config", "primary_container", "containers")),
    ("moto.sagemaker.models.FakeEndpoint.__init__", "callable",
     ("account_id", "region_name", "endpoint_name", "endpoint_config_name", "production_variants",
      "data_capture_config", "tags")),
    ("moto.sagemaker.models.FakeEndpointConfig.__init__", "callable", ("data_capture_config", "production_variants")),
    ("moto.sagemaker.models.FakeEndpoint._process_production_variants", "callable", ("production_variants",)),
    ("moto.sagemaker.models.FakeEndpoint.arn_formatter", "callable", ("endpoint_name", "account_id", "region_name")),
    ("moto.sagemaker.models.FakeEndpointConfig.arn_formatter", "callable", ("account_id", "region_name")),
    ("moto.sagemaker.models.SageMakerModelBackend.create_endpoint", "callable",
     ("endpoint_name", "endpoint_config_name", "tags")),
    ("moto.sagemaker.models.SageMakerModelBackend.delete_endpoint", "callable", ("endpoint_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.describe_model_package", "callable", ("model_package_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend._models", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.endpoints", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.endpoint_configs", "backend_attribute"),
    ("moto.sagemaker.responses.SageMakerResponse.update_endpoint", "kit_action"),
    ("moto.sagemakerruntime.responses.SageMakerRuntimeResponse", "class"),  # invoke_endpoint replaced
    ("moto.s3.models.S3Backend.get_object", "callable", ("bucket_name", "key_name")),
    ("moto.s3.models.S3Backend.put_object", "callable", ("bucket_name", "key_name", "value")),
    ("moto.utilities.utils.get_partition", "callable", ("region",)),
]

RUNTIMES_ATTRIBUTE = "mlops_kit_endpoint_runtimes"
TARGET_VARIANT_HEADER = "X-Amzn-SageMaker-Target-Variant"
INFERENCE_ID_HEADER = "X-Amzn-SageMaker-Inference-Id"



def runtimes(backend) -> dict[str, EndpointRuntime]:
    """The endpoint runtimes kept on a SageMaker backend instance."""
    found = backend.__dict__.get(RUNTIMES_ATTRIBUTE)
    return found if found is not None else backend.__dict__.setdefault(RUNTIMES_ATTRIBUTE, {})


# ---- model artifacts ------------------------------------------------------------------


def _model_data_url(backend, model_name: str) -> str:
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


def _s3(account_id: str, region: str):
    return s3_backends[account_id][get_partition(region)]


def _read_artifact(account_id: str, region: str, url: str) -> bytes:
    bucket, key = split_s3_uri(url)
    missing = ModelArtifactError(
        f"Failed to download model data(bucket: {bucket}, key: {key}). Please ensure that there is an object "
        "located at the URL and that the role passed to CreateModel has permissions to download the model. "
        "(On the local backend: did the training job finish and write its model.tar.gz there?)"
    )
    try:
        found = _s3(account_id, region).get_object(bucket, key)
    except Exception as error:  # moto raises MissingBucket for an unknown bucket
        raise missing from error
    if found is None:
        raise missing
    return found.value


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
                _read_artifact(account_id, region, url := _model_data_url(backend, variant["ModelName"])), url
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
        _s3(account_id, region).put_object(bucket, key, body)

    buffer = CaptureBuffer(capture.destination_s3_uri, endpoint_name, write)
    return EndpointRuntime(variants, capture, Sampler(capture.sampling_percentage), buffer)


def _summary(config: dict | None) -> dict | None:
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
        endpoint.data_capture_config = _summary(config.data_capture_config)
    endpoint.endpoint_config_name = config_name
    endpoint.failure_reason = None
    endpoint.endpoint_status = "InService"
    endpoint.last_modified_time = utcnow()


def start_deployment(backend, endpoint, config_name: str) -> None:
    threading.Thread(target=_deploy, args=(backend, endpoint, config_name), daemon=True,
                     name=f"deploy-{endpoint.endpoint_name}").start()


# ---- control plane patches ------------------------------------------------------------


def _patch_model_init(original):
    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        # DescribeModel must not carry empty structures: SDK v3 rejects VpcConfig {}.
        self.vpc_config = self.vpc_config or None
        self.primary_container = self.primary_container or None
        self.containers = self.containers or None

    return __init__


def _patch_endpoint_config_init(original):
    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        # DescribeEndpointConfig must not carry DataCaptureConfig {}: SDK v3 rejects it.
        self.data_capture_config = self.data_capture_config or None

    return __init__


def _replace_create_endpoint(original):
    """moto's create_endpoint, but Creating (not InService), refusing duplicates, and deploying."""

    @functools.wraps(original)
    def create_endpoint(self, endpoint_name, endpoint_config_name, tags):
        if endpoint_name in self.endpoints:
            arn = sagemaker_models.FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
            raise ValidationError(message=f'Cannot create already existing endpoint "{arn}".')
        config = self.endpoint_configs.get(endpoint_config_name)
        if config is None:
            arn = sagemaker_models.FakeEndpointConfig.arn_formatter(endpoint_config_name, self.account_id, self.region_name)
            raise ValidationError(message=f"Could not find endpoint configuration '{arn}'.")
        endpoint = sagemaker_models.FakeEndpoint(
            account_id=self.account_id,
            region_name=self.region_name,
            endpoint_name=endpoint_name,
            endpoint_config_name=endpoint_config_name,
            production_variants=config.production_variants,
            data_capture_config=_summary(config.data_capture_config),
            tags=tags,
        )
        endpoint.endpoint_status = "Creating"
        self.endpoints[endpoint_name] = endpoint
        start_deployment(self, endpoint, endpoint_config_name)
        return endpoint

    return create_endpoint


def _patch_delete_endpoint(original):
    @functools.wraps(original)
    def delete_endpoint(self, endpoint_name):
        original(self, endpoint_name)
        runtime = runtimes(self).pop(endpoint_name, None)
        if runtime:
            runtime.close()

    return delete_endpoint


def update_endpoint(self) -> ActionResult:
    """UpdateEndpoint: Updating -> InService with the new config (the response action moto lacks)."""
    backend = self.sagemaker_backend
    endpoint_name = self._get_param("EndpointName")
    config_name = self._get_param("EndpointConfigName")
    endpoint = backend.endpoints.get(endpoint_name)
    arn = sagemaker_models.FakeEndpoint.arn_formatter(endpoint_name, backend.account_id, backend.region_name)
    if endpoint is None:
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    if config_name not in backend.endpoint_configs:
        config_arn = sagemaker_models.FakeEndpointConfig.arn_formatter(config_name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find endpoint configuration '{config_arn}'.")
    if endpoint.endpoint_status != "InService":
        raise ValidationError(
            message=f'Cannot update in-progress endpoint "{arn}" (status {endpoint.endpoint_status}); '
            "wait until it is InService, or delete and re-create it if it Failed."
        )
    endpoint.endpoint_status = "Updating"
    endpoint.last_modified_time = utcnow()
    start_deployment(backend, endpoint, config_name)
    return ActionResult({"EndpointArn": endpoint.arn})


# ---- runtime --------------------------------------------------------------------------


def invoke_endpoint(self):
    """InvokeEndpoint answered by the endpoint's own model, with Data Capture."""
    endpoint_name = unquote(self.path.split("/")[2])
    account_id, region = self.current_account, self.region
    backend = sagemaker_models.sagemaker_backends[account_id][region]
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        return json_error(400, "ValidationError", {"message": f"Endpoint {endpoint_name} of account {account_id} not found."})
    runtime = runtimes(backend).get(endpoint_name)
    if runtime is None:
        reason = f" FailureReason: {endpoint.failure_reason}" if endpoint.failure_reason else ""
        return json_error(400, "ValidationError", {
            "message": f"Endpoint {endpoint_name} of account {account_id} is {endpoint.endpoint_status}, not InService; "
            f"wait for InService (e.g. the endpoint_in_service waiter) before invoking it.{reason}"
        })
    target = self.headers.get(TARGET_VARIANT_HEADER)
    variant = runtime.choose_variant(target)
    if variant is None:
        names = ", ".join(v.name for v in runtime.variants)
        return json_error(400, "ValidationError", {
            "message": f"Endpoint {endpoint_name} has no production variant {target!r} (it has: {names})."
        })
    body = self.raw_body or b""
    content_type = self.headers.get("Content-Type")
    try:
        prediction = csv_inference.predict(variant.booster, body, content_type)
    except csv_inference.InferenceError as error:
        return model_error(error, endpoint_name, account_id, region)
    if runtime.capturing():
        now = clock.now()  # the backend clock (clock.py): simulated hours land in their hour folder
        record = build_record(
            runtime.capture,
            input_body=body,
            input_content_type=content_type,
            output_body=prediction.body,
            output_content_type=prediction.content_type,
            inference_time=now,
            inference_id=self.headers.get(INFERENCE_ID_HEADER),
            event_id=str(uuid.uuid4()),
        )
        runtime.buffer.add(variant.name, record, now)
    headers = {"Content-Type": prediction.content_type, "x-Amzn-Invoked-Production-Variant": variant.name}
    return 200, headers, prediction.body


# ---- install --------------------------------------------------------------------------


def install() -> None:
    """Load models, run endpoints with Data Capture, answer InvokeEndpoint."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    sagemaker_models.Model.__init__ = _patch_model_init(sagemaker_models.Model.__init__)
    config_class = sagemaker_models.FakeEndpointConfig
    config_class.__init__ = _patch_endpoint_config_init(config_class.__init__)
    backend_class = sagemaker_models.SageMakerModelBackend
    backend_class.create_endpoint = _replace_create_endpoint(backend_class.create_endpoint)
    backend_class.delete_endpoint = _patch_delete_endpoint(backend_class.delete_endpoint)
    add_action(SageMakerResponse, "update_endpoint", update_endpoint)
    SageMakerRuntimeResponse.invoke_endpoint = invoke_endpoint
