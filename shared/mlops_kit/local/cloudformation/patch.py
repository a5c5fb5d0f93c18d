"""Installs the cloudformation room into moto: checked requests and SageMaker resources named and updated as AWS does."""

import functools

from moto.cloudformation import parsing
from moto.cloudformation.models import Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig, Model

from ..seams import install_once
from . import resources, stack_lifecycle, stack_requests

SEAMS: list[tuple] = [
    ("moto.cloudformation.responses.CloudFormationResponse.create_stack", "callable"),
    ("moto.cloudformation.responses.CloudFormationResponse.update_stack", "callable"),
    ("moto.cloudformation.models.Stack.parse_template", "callable", ("template",)),
    ("moto.cloudformation.models.Stack.parameter_list", "attribute"),
    ("moto.cloudformation.parsing.NULL_MODELS", "attribute"),
    ("moto.cloudformation.parsing.get_model_map", "callable"),
    ("moto.cloudformation.exceptions.ValidationError", "class"),
    ("moto.cloudformation.exceptions.AlreadyExistsException", "class"),
    ("moto.cloudformation.models.Stack.create_resources", "callable", ("self",)),
    ("moto.cloudformation.models.Stack.update", "callable", ("template", "role_arn", "parameters", "tags")),
    ("moto.cloudformation.models.Stack._add_stack_event", "callable", ("resource_status",)),
    ("moto.cloudformation.models.Stack._create_output_map", "callable"),
    ("moto.cloudformation.models.Stack.stack_resources", "attribute"),
    ("moto.cloudformation.models.Stack.outputs", "attribute"),
    ("moto.cloudformation.models.Event", "class"),
    ("moto.cloudformation.parsing.OutputMap", "class"),
    ("moto.cloudformation.parsing.ResourceMap.build_resource_diff", "callable", ("other_template", "parameters")),
    ("moto.cloudformation.parsing.ResourceMap.load_parameters", "callable"),
    ("moto.cloudformation.parsing.parse_and_create_resource", "callable",
     ("logical_id", "resource_json", "resources_map", "account_id", "region_name")),
    ("moto.cloudformation.parsing.parse_and_update_resource", "callable",
     ("logical_id", "resource_json", "resources_map", "account_id", "region_name")),
    *((f"moto.sagemaker.models.{cls}.{method}", "callable") for cls in ("Model", "FakeEndpointConfig", "FakeEndpoint")
      for method in ("create_from_cloudformation_json", "update_from_cloudformation_json",
                     "delete_from_cloudformation_json")),
]


def _classmethod(original, wrapper):
    @functools.wraps(original)
    def method(cls, *args, **kwargs):
        return wrapper(original, cls, *args, **kwargs)

    return classmethod(method)


def _replacing(original, function):
    """``function`` in place of moto's classmethod ``original``, moto's signature kept for the seam check."""
    method = functools.wraps(original)(lambda cls, *args, **kwargs: function(cls, *args, **kwargs))
    return classmethod(method)


def _marked(function, original):
    """``function`` with ``original``'s name and signature (the seam check reads them)."""
    function = functools.wraps(original)(function)
    return function


def install() -> None:
    """Deploy SageMaker resources from templates with stack events and updates."""
    install_once(__name__, SEAMS, _patch_moto)


def _patch_moto() -> None:
    CloudFormationResponse.create_stack = stack_requests.create_stack(CloudFormationResponse.create_stack)
    CloudFormationResponse.update_stack = stack_requests.update_stack(CloudFormationResponse.update_stack)
    for cls, create in ((Model, resources.create_model), (FakeEndpointConfig, resources.create_endpoint_config),
                        (FakeEndpoint, resources.create_endpoint)):
        cls.create_from_cloudformation_json = _classmethod(cls.create_from_cloudformation_json, create)
    Stack.create_resources = _marked(stack_lifecycle.create_resources(Stack.create_resources), Stack.create_resources)
    Stack.update = _marked(stack_lifecycle.update(Stack.update), Stack.update)
    Stack.stack_resources = property(stack_lifecycle.created_resources)
    Stack.outputs = property(stack_lifecycle.outputs(Stack.outputs))
    parsing.ResourceMap.build_resource_diff = _marked(
        stack_lifecycle.build_resource_diff(parsing.ResourceMap.build_resource_diff),
        parsing.ResourceMap.build_resource_diff)
    parsing.parse_and_create_resource = _marked(
        stack_lifecycle.with_events(parsing.parse_and_create_resource, "CREATE"), parsing.parse_and_create_resource)
    parsing.parse_and_update_resource = _marked(
        stack_lifecycle.with_events(parsing.parse_and_update_resource, "UPDATE"), parsing.parse_and_update_resource)
    for cls, update in ((Model, resources.replace), (FakeEndpointConfig, resources.replace),
                        (FakeEndpoint, resources.update_endpoint)):
        cls.update_from_cloudformation_json = _replacing(cls.update_from_cloudformation_json, update)
