"""The model registry as SageMaker runs it: faithful defaults and errors, and its events.

moto stores model package groups and packages; this module fixes where it differs from the
service and adds the "SageMaker Model Package State Change" event that SageMaker puts on
the default EventBridge bus when a versioned package is created or its approval changes,
so that a rule (for example "deploy when Approved") can react.

The event's shape follows the sample in the SageMaker Developer Guide ("Automating SageMaker
with EventBridge", model package state change): source ``aws.sagemaker``, the package ARN
as the only resource, and a detail holding the package's description with ISO 8601 times.
"""

import functools
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import ModelPackage, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter, validate_model_approval_status

from ..events import patch as events_patch
from ..events.service_events import put_service_event
from ..seams import add_action, install_once

SEAMS: list[tuple] = [  # Registry rules and the package state-change event.
    ("moto.core.responses.EmptyResult", "callable"),
    ("moto.sagemaker.responses.SageMakerResponse.delete_model_package", "kit_action"),
    ("moto.sagemaker.responses.SageMakerResponse.delete_model_package_group", "kit_action"),
    ("moto.sagemaker.models.SageMakerModelBackend.create_model_package_group", "callable",
     ("model_package_group_name",)),
    ("moto.sagemaker.models.SageMakerModelBackend.create_model_package", "callable",
     ("model_package_name", "model_package_group_name", "model_approval_status")),
    ("moto.sagemaker.models.SageMakerModelBackend.update_model_package", "callable",
     ("model_package_arn", "model_approval_status", "approval_description", "customer_metadata_properties",
      "customer_metadata_properties_to_remove", "additional_inference_specifications_to_add")),
    ("moto.sagemaker.models.SageMakerModelBackend.model_packages", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.model_package_groups", "backend_attribute"),
    ("moto.sagemaker.models.SageMakerModelBackend.model_package_name_mapping", "backend_attribute"),
    ("moto.sagemaker.models.ModelPackage.gen_response_object", "callable"),
    ("moto.sagemaker.models.ModelPackage.modifications_done", "callable"),
    ("moto.sagemaker.models.ModelPackage.add_additional_inference_specifications", "callable",
     ("additional_inference_specifications_to_add",)),
    ("moto.sagemaker.utils.validate_model_approval_status", "callable", ("model_approval_status",)),
    ("moto.sagemaker.utils.arn_formatter", "callable", ("_type", "_id", "account_id", "region_name")),
]

EVENT_SOURCE = "aws.sagemaker"
EVENT_DETAIL_TYPE = "SageMaker Model Package State Change"
DEFAULT_APPROVAL_STATUS = "PendingManualApproval"
# Describe fields the event does not carry (the Developer Guide's sample has none of them).
_FIELDS_NOT_IN_EVENT = ("CreatedBy", "LastModifiedBy", "ModelPackageName")

_originals: dict[str, Any] = {}


def install() -> None:
    """Give the registry SageMaker's defaults, errors and state-change event."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    events_patch.install()  # the state-change event reaches targets whole
    for name, replacement in (
        ("create_model_package_group", _create_model_package_group),
        ("create_model_package", _create_model_package),
        ("describe_model_package", _describe_model_package),
        ("update_model_package", _update_model_package),
    ):
        _originals[name] = getattr(SageMakerModelBackend, name)
        setattr(SageMakerModelBackend, name, functools.wraps(_originals[name])(_delegate(replacement)))
    for action, function in ACTIONS.items():
        add_action(SageMakerResponse, action, function)


def _delegate(replacement):
    """A fresh function to carry moto's name and signature (so the seam check can see them)."""
    return lambda *args, **kwargs: replacement(*args, **kwargs)


def event_detail(package: ModelPackage) -> dict[str, Any]:
    """The event's detail: the package as DescribeModelPackage shows it, with LastModifiedTime."""
    detail = {k: v for k, v in package.gen_response_object().items() if k not in _FIELDS_NOT_IN_EVENT}
    detail.setdefault("LastModifiedTime", package.last_modified_time or package.creation_time)
    return detail


def _emit_state_change(backend: SageMakerModelBackend, package: ModelPackage) -> None:
    put_service_event(
        backend.account_id,
        backend.region_name,
        source=EVENT_SOURCE,
        detail_type=EVENT_DETAIL_TYPE,
        resources=[package.arn],
        detail=event_detail(package),
        time=package.last_modified_time or package.creation_time,
    )


def _group_arn(backend: SageMakerModelBackend, group_name: str) -> str:
    return arn_formatter("model-package-group", group_name, backend.account_id, backend.region_name)


def _find_package(backend: SageMakerModelBackend, name_or_arn: str) -> ModelPackage:
    key = backend.model_package_name_mapping.get(name_or_arn, name_or_arn)
    package = backend.model_packages.get(key)
    if package is None:
        raise ValidationError(
            f"ModelPackage {name_or_arn} does not exist. List the versions of a group with "
            "ListModelPackages(ModelPackageGroupName=...) and use one of their ModelPackageArn."
        )
    return package


def _create_model_package_group(self: SageMakerModelBackend, model_package_group_name: str, *args, **kwargs) -> str:
    if model_package_group_name in self.model_package_groups:
        raise ValidationError(
            f"Model Package Group already exists: {_group_arn(self, model_package_group_name)}. "
            "Reuse it, or choose another ModelPackageGroupName."
        )
    return _originals["create_model_package_group"](self, model_package_group_name, *args, **kwargs)


def _create_model_package(self: SageMakerModelBackend, **kwargs: Any) -> str:
    group_name = kwargs.get("model_package_group_name")
    if group_name and not kwargs.get("model_package_name"):
        if group_name.startswith("arn:"):
            group_name = kwargs["model_package_group_name"] = group_name.split("/")[-1]
        if group_name not in self.model_package_groups:
            raise ValidationError(
                f"Model Package Group {_group_arn(self, group_name)} does not exist. Create it "
                "first with CreateModelPackageGroup, or check ModelPackageGroupName."
            )
        if kwargs.get("model_approval_status") is None:
            kwargs["model_approval_status"] = DEFAULT_APPROVAL_STATUS
    arn = _originals["create_model_package"](self, **kwargs)
    package = self.model_packages[arn]
    # A new package has run no validation or image scan yet: the service reports empty lists.
    package.model_package_status_details = {"ValidationStatuses": [], "ImageScanStatuses": []}
    if package.model_package_group_name:
        _emit_state_change(self, package)
    return arn


def _describe_model_package(self: SageMakerModelBackend, model_package_name: str) -> ModelPackage:
    return _find_package(self, model_package_name)


def _update_model_package(
    self: SageMakerModelBackend,
    model_package_arn: str,
    model_approval_status: str | None,
    approval_description: str | None,
    customer_metadata_properties: dict[str, str] | None,
    customer_metadata_properties_to_remove: list[str],
    additional_inference_specifications_to_add: list[Any] | None,
) -> str:
    """Change only what the request names (moto's own update blanks the fields not given)."""
    package = _find_package(self, model_package_arn)
    validate_model_approval_status(model_approval_status)
    previous_status = package.model_approval_status
    if model_approval_status is not None:
        package.model_approval_status = model_approval_status
    if approval_description is not None:
        package.approval_description = approval_description
    if customer_metadata_properties:
        package.customer_metadata_properties = {
            **(package.customer_metadata_properties or {}),
            **customer_metadata_properties,
        }
    if customer_metadata_properties_to_remove and package.customer_metadata_properties:
        package.customer_metadata_properties = {
            k: v
            for k, v in package.customer_metadata_properties.items()
            if k not in customer_metadata_properties_to_remove
        }
    package.add_additional_inference_specifications(additional_inference_specifications_to_add)
    package.modifications_done()
    if package.model_package_group_name and package.model_approval_status != previous_status:
        _emit_state_change(self, package)
    return package.arn


def delete_model_package(self) -> ActionResult:
    """DeleteModelPackage (moto lacks it): a version, by ARN or name, leaves its group."""
    backend = self.sagemaker_backend
    package = _find_package(backend, self._get_param("ModelPackageName"))
    backend.model_packages.pop(package.arn, None)
    for key in [key for key, arn in backend.model_package_name_mapping.items() if arn == package.arn]:
        del backend.model_package_name_mapping[key]
    return EmptyResult()


def delete_model_package_group(self) -> ActionResult:
    """DeleteModelPackageGroup (moto lacks it), refused while the group still has versions, as on
    SageMaker: delete the versions first (the teardown's order relies on it)."""
    backend = self.sagemaker_backend
    name = self._get_param("ModelPackageGroupName").split("/")[-1]
    if name not in backend.model_package_groups:
        raise ValidationError(f"ModelPackageGroup {_group_arn(backend, name)} does not exist.")
    versions = [p for p in backend.model_packages.values() if p.model_package_group_name == name]
    if versions:
        raise ValidationError(
            f"Model Package Group {_group_arn(backend, name)} cannot be deleted because it contains "
            f"{len(versions)} model package(s). Delete them first with DeleteModelPackage.")
    del backend.model_package_groups[name]
    return EmptyResult()


ACTIONS = {"delete_model_package": delete_model_package, "delete_model_package_group": delete_model_package_group}
