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
``/moto-api/reset`` clears it (``deploying`` builds it from ``model_artifacts``). S3 is
reached through moto's own S3 backend (in-process, no HTTP round trip, no credentials:
the server reads model artifacts and writes capture files as the service itself would,
and capture must not slow the request path).
"""

import functools
import uuid
from urllib.parse import unquote

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.sagemaker import models as sagemaker_models
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

from .. import clock
from ..seams import add_action, install_once
from . import csv_inference
from .capture import build_record
from .deploying import capture_summary, runtimes, start_deployment
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

TARGET_VARIANT_HEADER = "X-Amzn-SageMaker-Target-Variant"
INFERENCE_ID_HEADER = "X-Amzn-SageMaker-Inference-Id"



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
            data_capture_config=capture_summary(config.data_capture_config),
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
