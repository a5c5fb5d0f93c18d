"""A stack's life as CloudFormation runs it, where moto does it all at once in the request.

- CreateStack and UpdateStack return at once; the work goes on in the background and
  DescribeStacks shows ``CREATE_IN_PROGRESS`` / ``UPDATE_IN_PROGRESS`` until it ends.
- Every resource has its own events (``CREATE_IN_PROGRESS`` -> ``CREATE_COMPLETE`` or
  ``CREATE_FAILED`` with the service's message), and an endpoint is complete only when it
  is InService, as CloudFormation's SageMaker handler waits for it.
- A resource that fails to create rolls the stack back: what was made is deleted and the
  stack ends ``ROLLBACK_COMPLETE``, with no resources and no outputs (it can only be
  deleted). A failed update deletes the replacements it made and ends
  ``UPDATE_ROLLBACK_COMPLETE`` on the previous template and parameters.
- An update changes what a changed parameter reaches, through ``Ref``, ``Fn::GetAtt``,
  ``Fn::Sub`` and ``DependsOn``, in dependency order (moto compares the template text
  only, so a new ModelPackageName never reached the endpoint config); replaced resources
  are deleted last, in ``UPDATE_COMPLETE_CLEANUP_IN_PROGRESS``.

moto internals used beyond ``patch.SEAMS``: a ResourceMap's ``_parsed_resources``,
``_resource_json_map``, ``_template``, ``input_parameters`` and ``load_parameters``; a Stack's
``events``, ``_add_stack_event``, ``_create_output_map``, ``stack_resources`` and ``outputs``.
"""

import contextvars
import re
import threading
import time

from moto.cloudformation.models import Event
from moto.core.exceptions import ServiceException
from moto.cloudformation.parsing import OutputMap
from moto.sagemaker import models as sagemaker_models

ENDPOINT_TYPE = "AWS::SageMaker::Endpoint"
ENDPOINT_WAIT_SECONDS = 900
POLL_SECONDS = 0.05
_SUB_VARIABLE = re.compile(r"\$\{([A-Za-z0-9_]+)(?:\.[A-Za-z0-9_.]+)?\}")

_stack: contextvars.ContextVar = contextvars.ContextVar("mlops_kit_stack", default=None)
_replaced: contextvars.ContextVar = contextvars.ContextVar("mlops_kit_replaced", default=None)
_failed: contextvars.ContextVar = contextvars.ContextVar("mlops_kit_failed", default=None)


class ResourceFailed(Exception):
    def __init__(self, logical_id: str, reason: str):
        super().__init__(reason)
        self.logical_id, self.reason = logical_id, reason


# ---- what a resource refers to --------------------------------------------------------

def references(node) -> set[str]:
    """The logical ids and parameter names a resource's JSON refers to."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found.update(_SUB_VARIABLE.findall(text if isinstance(text, str) else ""))
                if isinstance(value, list) and len(value) > 1:
                    found.update(references(value[1]))
            elif key == "DependsOn":
                found.update([value] if isinstance(value, str) else value)
            else:
                found.update(references(value))
    elif isinstance(node, list):
        for item in node:
            found.update(references(item))
    return found


def dependency_order(resources: dict) -> list[str]:
    """Logical ids, each after the resources it refers to."""
    ordered: list[str] = []

    def visit(name: str, seen: tuple) -> None:
        if name in ordered or name in seen:
            return
        for dependency in sorted(references(resources[name]) & resources.keys()):
            visit(dependency, (*seen, name))
        ordered.append(name)

    for name in resources:
        visit(name, ())
    return ordered


def build_resource_diff(original):
    """moto's diff, plus every resource a change reaches, in dependency order."""

    def diff(self, other_template, parameters=None):
        actions = original(self, other_template, parameters)
        new, old = other_template["Resources"], self._resource_json_map
        changed = {p for p in (parameters or {}) if self.input_parameters.get(p) != parameters[p]}
        changed.update(actions["Modify"], actions["Add"])
        modify = set(actions["Modify"])
        grew = True
        while grew:
            reached = {name for name in new if name in old and name not in modify and references(new[name]) & changed}
            modify |= reached
            changed |= reached
            grew = bool(reached)
        actions["Modify"] = [name for name in dependency_order(new) if name in modify]
        return actions

    return diff


# ---- events -----------------------------------------------------------------------------

def add_event(stack, logical_id: str, resource_type: str, status: str, physical_id: str = "",
              reason: str | None = None) -> None:
    stack.events.append(Event(stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
                              physical_resource_id=physical_id, resource_type=resource_type,
                              resource_status=status, resource_status_reason=reason, resource_properties=None))


def handler_message(error: Exception) -> str:
    """The reason CloudFormation gives when a resource handler's call to the service failed."""
    message = getattr(error, "message", None) or str(error)
    code = 400 if isinstance(error, ServiceException) else 500  # SageMaker's client errors are all 400
    return (f'Resource handler returned message: "{message} (Service: SageMaker, Status Code: {code})" '
            "(HandlerErrorCode: InvalidRequest)")


def _physical_id(resource) -> str:
    return str(getattr(resource, "physical_resource_id", "") or "")


def _wait_for_endpoint(resource, account_id: str, region_name: str) -> None:
    """CloudFormation's SageMaker handler: an endpoint is done when InService, failed when Failed."""
    endpoints = sagemaker_models.sagemaker_backends[account_id][region_name].endpoints
    deadline = time.monotonic() + ENDPOINT_WAIT_SECONDS
    while resource.endpoint_status in ("Creating", "Updating") and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    failure = getattr(resource, "failure_reason", None)
    if resource.endpoint_name not in endpoints or resource.endpoint_status != "InService" or failure:
        reason = failure or f"Endpoint is {resource.endpoint_status}"
        raise RuntimeError(f"Resource handler returned message: \"{reason}\" (HandlerErrorCode: NotStabilized)")


def with_events(original, verb: str):
    """parse_and_create_resource / parse_and_update_resource, reporting the resource's events."""

    def run(logical_id, resource_json, resources_map, account_id, region_name):
        stack = _stack.get()
        if stack is None:
            return original(logical_id, resource_json, resources_map, account_id, region_name)
        resource_type = resource_json.get("Type", "")
        failed = _failed.get()
        if logical_id in failed:  # moto tries a failed update again: it fails once, as on AWS
            raise ResourceFailed(logical_id, failed[logical_id])
        add_event(stack, logical_id, resource_type, f"{verb}_IN_PROGRESS")
        try:
            resource = original(logical_id, resource_json, resources_map, account_id, region_name)
            if resource is not None and resource_type == ENDPOINT_TYPE:
                _wait_for_endpoint(resource, account_id, region_name)
        except ResourceFailed:
            raise
        except Exception as error:
            reason = str(error) if isinstance(error, RuntimeError) else handler_message(error)
            add_event(stack, logical_id, resource_type, f"{verb}_FAILED", reason=reason)
            failed[logical_id] = reason
            raise ResourceFailed(logical_id, reason) from error
        add_event(stack, logical_id, resource_type, f"{verb}_COMPLETE", _physical_id(resource))
        return resource

    return run


# ---- replaced resources, deleted last --------------------------------------------------

def defer_deletion(resource_class, old_resource, cloudformation_json, account_id, region_name) -> bool:
    """Keep a replaced resource for the update's clean-up; False outside a stack update."""
    replaced = _replaced.get()
    if replaced is None:
        return False
    replaced.append((resource_class, old_resource, cloudformation_json, account_id, region_name))
    return True


def _arn(resource) -> str:
    """The resource's ARN (moto keeps an endpoint config's as a one-item tuple)."""
    return resource.arn[0] if isinstance(resource.arn, tuple) else resource.arn


def _delete(stack, resource_class, resource, cloudformation_json, account_id, region_name) -> None:
    """Delete one resource with its events; a failure is a DELETE_FAILED event, as in a clean-up on AWS."""
    logical_id = getattr(resource, "logical_resource_id", "")
    resource_type = cloudformation_json.get("Type", "")
    add_event(stack, logical_id, resource_type, "DELETE_IN_PROGRESS", _physical_id(resource))
    try:
        resource_class.delete_from_cloudformation_json(_arn(resource), cloudformation_json, account_id, region_name)
    except Exception as error:
        add_event(stack, logical_id, resource_type, "DELETE_FAILED", _physical_id(resource), handler_message(error))
        return
    add_event(stack, logical_id, resource_type, "DELETE_COMPLETE", _physical_id(resource))


# ---- what a stack shows while it works -------------------------------------------------

def created_resources(stack) -> list:
    """The stack's resources that exist so far (moto's map would create the rest on reading)."""
    resource_map = stack.resource_map
    parsed = resource_map._parsed_resources
    return [parsed[name] for name in resource_map._resource_json_map if name in parsed]


def outputs(original):
    """No outputs until the stack's resources exist, as CloudFormation shows them."""

    def read(self):
        if self.status in ("CREATE_PENDING", "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"):
            return None
        return original.fget(self)

    return read


# ---- create and update in the background ----------------------------------------------

def _in_background(function, stack, *args) -> None:
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(function, stack, *args), daemon=True,
                     name=f"stack-{stack.name}").start()


def create_resources(original):
    def start(self):
        self.status = "CREATE_IN_PROGRESS"
        self.description = self.template_dict.get("Description")
        _in_background(_create, self, original)

    return start


def current_stack():
    """The stack whose resources this thread is creating or updating (None outside one)."""
    return _stack.get()


def _run_in_stack(stack) -> None:
    _stack.set(stack)
    _failed.set({})


def _create(stack, original) -> None:
    _run_in_stack(stack)
    try:
        original(stack)
    except ResourceFailed as failure:
        _roll_back_creation(stack, failure.logical_id, f"The following resource(s) failed to create: "
                                                      f"[{failure.logical_id}]. Rollback requested by user.")
    except Exception as error:  # anything else must end the stack too, never leave it in progress
        _roll_back_creation(stack, None, f"The local backend could not create the stack: {type(error).__name__}: "
                                         f"{error}")


def _roll_back_creation(stack, failed_id: str | None, reason: str) -> None:
    stack.status = "ROLLBACK_IN_PROGRESS"
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
    resource_map = stack.resource_map
    created = resource_map._parsed_resources
    for logical_id in reversed(dependency_order(resource_map._resource_json_map)):
        resource = created.get(logical_id)
        if resource is None or isinstance(resource, str) or not hasattr(resource, "arn"):
            continue
        resource_json = resource_map._resource_json_map[logical_id]
        _delete(stack, type(resource), resource, resource_json, stack.account_id, stack.region_name)
    if failed_id:
        failed_type = resource_map._resource_json_map.get(failed_id, {}).get("Type", "")
        add_event(stack, failed_id, failed_type, "DELETE_COMPLETE")
    for logical_id in list(resource_map._resource_json_map):
        created.pop(logical_id, None)
    resource_map._resource_json_map = {}
    stack.output_map = OutputMap(resource_map, {}, stack.stack_id)
    stack.status = "ROLLBACK_COMPLETE"
    stack._add_stack_event("ROLLBACK_COMPLETE")


def update(original):
    def start(self, template, role_arn=None, parameters=None, tags=None):
        self.status = "UPDATE_IN_PROGRESS"
        _in_background(_update, self, original, template, role_arn, parameters, tags)

    return start


def _update(stack, original, template, role_arn, parameters, tags) -> None:
    _run_in_stack(stack)
    replaced: list = []
    _replaced.set(replaced)
    resource_map = stack.resource_map
    before = (stack.template, stack.template_dict, stack.parameters, resource_map._template,
              resource_map._resource_json_map, dict(resource_map._parsed_resources), resource_map.input_parameters)
    try:
        original(stack, template, role_arn, parameters, tags)
    except Exception as error:  # moto raises the last failure after its retries
        failed_id = error.logical_id if isinstance(error, ResourceFailed) else "the stack"
        _roll_back_update(stack, failed_id, before)
        return
    completed = stack.events.pop()  # moto's UPDATE_COMPLETE: the clean-up comes first
    stack.status = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    stack._add_stack_event("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    for resource_class, old, cloudformation_json, account_id, region_name in reversed(replaced):
        _delete(stack, resource_class, old, cloudformation_json, account_id, region_name)
    stack.events.append(completed)
    stack.status = "UPDATE_COMPLETE"


def _roll_back_update(stack, failed_id: str, before: tuple) -> None:
    """Back to the previous template and resources; the replaced ones were kept, the replacements go."""
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=(
        f"The following resource(s) failed to update: [{failed_id}]."))
    resource_map = stack.resource_map
    (stack.template, stack.template_dict, stack.parameters, resource_map._template,
     resource_map._resource_json_map, previous, resource_map.input_parameters) = before
    for logical_id, resource in list(resource_map._parsed_resources.items()):
        if previous.get(logical_id) is not resource and hasattr(resource, "arn"):
            _delete(stack, type(resource), resource, resource_map._resource_json_map.get(logical_id, {}),
                    stack.account_id, stack.region_name)
    resource_map._parsed_resources.clear()
    resource_map._parsed_resources.update(previous)
    resource_map.load_parameters()
    stack.output_map = stack._create_output_map()
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
