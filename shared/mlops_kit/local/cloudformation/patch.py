"""Installs the cloudformation room into moto: checked requests and SageMaker resources named and updated as AWS does."""

import functools

from moto.cloudformation.responses import CloudFormationResponse
from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig, Model

from . import resources, stack_requests

SEAMS: list[tuple] = [
    ("moto.cloudformation.responses.CloudFormationResponse.create_stack", "callable"),
    ("moto.cloudformation.responses.CloudFormationResponse.update_stack", "callable"),
    ("moto.cloudformation.models.Stack.parse_template", "callable", ("template",)),
    ("moto.cloudformation.models.Stack.parameter_list", "attribute"),
    ("moto.cloudformation.parsing.NULL_MODELS", "attribute"),
    ("moto.cloudformation.parsing.get_model_map", "callable"),
    ("moto.cloudformation.exceptions.ValidationError", "class"),
    ("moto.cloudformation.exceptions.AlreadyExistsException", "class"),
    *((f"moto.sagemaker.models.{cls}.{method}", "callable") for cls in ("Model", "FakeEndpointConfig", "FakeEndpoint")
      for method in ("create_from_cloudformation_json", "update_from_cloudformation_json",
                     "delete_from_cloudformation_json")),
]


def _classmethod(original, wrapper):
    @functools.wraps(original)
    def method(cls, *args, **kwargs):
        return wrapper(original, cls, *args, **kwargs)

    method._mlops_kit = True
    return classmethod(method)


def _replacing(original, function):
    """``function`` in place of moto's classmethod ``original``, moto's signature kept for the seam check."""
    method = functools.wraps(original)(lambda cls, *args, **kwargs: function(cls, *args, **kwargs))
    method._mlops_kit = True
    return classmethod(method)


def install() -> None:
    """Patch moto's CloudFormation requests and SageMaker resource types once."""
    if getattr(CloudFormationResponse.create_stack, "_mlops_kit", False):
        return
    CloudFormationResponse.create_stack = stack_requests.create_stack(CloudFormationResponse.create_stack)
    CloudFormationResponse.update_stack = stack_requests.update_stack(CloudFormationResponse.update_stack)
    for cls, create in ((Model, resources.create_model), (FakeEndpointConfig, resources.create_endpoint_config),
                        (FakeEndpoint, resources.create_endpoint)):
        cls.create_from_cloudformation_json = _classmethod(cls.create_from_cloudformation_json, create)
    for cls, update in ((Model, resources.replace), (FakeEndpointConfig, resources.replace),
                        (FakeEndpoint, resources.update_endpoint)):
        cls.update_from_cloudformation_json = _replacing(cls.update_from_cloudformation_json, update)
