"""SageMaker resources in stacks named and replaced as CloudFormation does.

moto names them ``<stack>-<LogicalId>-<random>`` and replaces an endpoint by deleting and
re-creating it. CloudFormation names a resource without an explicit name
``<LogicalId>-<12 random characters>``, checks a ModelPackageName exists when it creates
the model, creates a replacement Model / EndpointConfig before deleting the old one, and
updates an endpoint in place (UpdateEndpoint, same name), which the kit deploys in the
background (endpoints/deploying.py). Like CloudFormation, it puts the stack's tags and its own
(``aws:cloudformation:stack-name``, ``stack-id``, ``logical-id``) on each resource: the
teardown finds a SageMaker project's endpoints by them.
"""

import random
import string

from moto.core.utils import utcnow
from moto.sagemaker import models as sagemaker_models
from moto.sagemaker.exceptions import ValidationError

from ..endpoints import deploying as endpoints
from . import stack_lifecycle

ENDPOINT_NAME_LIMIT = 63
_ALPHABET = string.ascii_letters + string.digits


def generated_name(logical_id: str) -> str:
    return f"{logical_id}-{''.join(random.choices(_ALPHABET, k=12))}"


def _backend(account_id: str, region_name: str):
    return sagemaker_models.sagemaker_backends[account_id][region_name]


def _name(properties: dict, name_property: str, logical_id: str) -> str:
    return properties.get(name_property) or generated_name(logical_id)


def with_stack_tags(cloudformation_json: dict, logical_id: str) -> dict:
    """The resource's JSON with the stack's tags added to its own, as CloudFormation propagates them."""
    stack = stack_lifecycle.current_stack()
    if stack is None:
        return cloudformation_json
    properties = cloudformation_json.get("Properties") or {}
    own = list(properties.get("Tags") or [])
    present = {tag["Key"] for tag in own}
    stack_tags = {**(stack.tags or {}), "aws:cloudformation:stack-name": stack.name,
                  "aws:cloudformation:stack-id": stack.stack_id, "aws:cloudformation:logical-id": logical_id}
    tags = own + [{"Key": key, "Value": value} for key, value in stack_tags.items() if key not in present]
    return {**cloudformation_json, "Properties": {**properties, "Tags": tags}}


def create_model(original, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    cloudformation_json = with_stack_tags(cloudformation_json, kwargs.get("LogicalId", "Model"))
    properties = cloudformation_json["Properties"]
    backend = _backend(account_id, region_name)
    for container in [properties.get("PrimaryContainer") or {}, *(properties.get("Containers") or [])]:
        if container.get("ModelPackageName"):
            backend.describe_model_package(container["ModelPackageName"])  # a missing package fails the resource
    name = _name(properties, "ModelName", kwargs.get("LogicalId", "Model"))
    return original(name, cloudformation_json, account_id, region_name, **kwargs)


def create_endpoint_config(original, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    cloudformation_json = with_stack_tags(cloudformation_json, kwargs.get("LogicalId", "EndpointConfig"))
    name = _name(cloudformation_json["Properties"], "EndpointConfigName", kwargs.get("LogicalId", "EndpointConfig"))
    return original(name, cloudformation_json, account_id, region_name, **kwargs)


def create_endpoint(original, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    cloudformation_json = with_stack_tags(cloudformation_json, kwargs.get("LogicalId", "Endpoint"))
    name = _name(cloudformation_json["Properties"], "EndpointName", kwargs.get("LogicalId", "Endpoint"))
    _check_endpoint_name(name)
    return original(name, cloudformation_json, account_id, region_name, **kwargs)


def _check_endpoint_name(name) -> None:
    """SageMaker's own check of EndpointName (CreateEndpoint's constraints)."""
    if not isinstance(name, str) or len(name) > ENDPOINT_NAME_LIMIT:
        raise ValidationError(message=f"1 validation error detected: Value '{name}' at 'endpointName' failed to satisfy "
                                      f"constraint: Member must have length less than or equal to {ENDPOINT_NAME_LIMIT}")


def replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    """Replacement: the new resource first; the old one is deleted in the update's clean-up."""
    logical_id = getattr(original_resource, "logical_resource_id", None)
    new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name,
                                              LogicalId=logical_id)
    if not stack_lifecycle.defer_deletion(cls, original_resource, cloudformation_json, account_id, region_name):
        cls.delete_from_cloudformation_json(original_resource.arn, cloudformation_json, account_id, region_name)
    return new


def update_endpoint(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    """In place when the name stays: UpdateEndpoint to the (new) EndpointConfig."""
    properties = cloudformation_json["Properties"]
    name = properties.get("EndpointName") or original_resource.endpoint_name
    if name != original_resource.endpoint_name:
        return replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    backend = _backend(account_id, region_name)
    config_name = properties["EndpointConfigName"]
    if config_name not in backend.endpoint_configs:
        arn = sagemaker_models.FakeEndpointConfig.arn_formatter(config_name, account_id, region_name)
        raise ValidationError(message=f"Could not find endpoint configuration '{arn}'.")
    if config_name != original_resource.endpoint_config_name:
        original_resource.endpoint_status = "Updating"
        original_resource.failure_reason = None
        original_resource.last_modified_time = utcnow()
        endpoints.start_deployment(backend, original_resource, config_name)
    return original_resource
