"""Deploy / AWS / CloudFormation: a stack from a template in an input artifact.

As CodePipeline does: CREATE_UPDATE creates the stack or updates it ("No updates are to
be performed." is success); REPLACE_ON_FAILURE first deletes a stack that is in a failed
state; DELETE_ONLY deletes it (absent is success). ParameterOverrides win over the
TemplateConfiguration file's Parameters.
"""

import json
import time

from botocore.exceptions import ClientError

from .artifacts import read_member, split_artifact_path
from .errors import ActionFailed

POLL_SECONDS = 0.1
MODES = ("CREATE_UPDATE", "REPLACE_ON_FAILURE", "DELETE_ONLY")
FAILED_STATES = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED",
                 "UPDATE_ROLLBACK_FAILED"}
SUCCEEDED_STATES = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"}
NO_UPDATES = "No updates are to be performed."


def run_cloudformation(execution, action, configuration: dict) -> None:
    mode = configuration.get("ActionMode")
    stack = configuration.get("StackName")
    if mode not in MODES:
        raise ActionFailed(f"ActionMode {mode} is not run by the local backend; it runs {', '.join(MODES)}")
    if not stack:
        raise ActionFailed(f"Action {action.name} has no StackName in its configuration")
    cloudformation = execution.client("cloudformation")
    action.external_execution_id = stack
    current = _status(cloudformation, stack)
    if mode == "DELETE_ONLY" or (mode == "REPLACE_ON_FAILURE" and current in FAILED_STATES):
        if current:
            cloudformation.delete_stack(StackName=stack)
            _wait(cloudformation, stack, deleting=True)
        current = None
        if mode == "DELETE_ONLY":
            return
    arguments = _stack_arguments(execution, action, configuration, stack)
    try:
        if current is None:
            cloudformation.create_stack(**arguments)
        else:
            cloudformation.update_stack(**arguments)
    except ClientError as error:
        message = error.response["Error"].get("Message", str(error))
        if message == NO_UPDATES:
            action.summary = NO_UPDATES
            return
        raise ActionFailed(message) from None
    _wait(cloudformation, stack, deleting=False)


def _status(cloudformation, stack: str) -> str | None:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError:
        return None
    status = stacks[0]["StackStatus"] if stacks else None
    return None if status == "DELETE_COMPLETE" else status


def _stack_arguments(execution, action, configuration: dict, stack: str) -> dict:
    artifact_name, path = split_artifact_path(configuration.get("TemplatePath", ""), "TemplatePath")
    template = read_member(_zip(execution, action, artifact_name), path, artifact_name)
    parameters, tags = {}, {}
    if configuration.get("TemplateConfiguration"):
        config_name, config_path = split_artifact_path(configuration["TemplateConfiguration"], "TemplateConfiguration")
        text = read_member(_zip(execution, action, config_name), config_path, config_name)
        try:
            config = json.loads(text)
            parameters.update(config.get("Parameters", {}))
            tags.update(config.get("Tags", {}))
        except (ValueError, AttributeError):
            raise ActionFailed(f"TemplateConfiguration {configuration['TemplateConfiguration']} is not a JSON "
                               'object of the form {"Parameters": {...}, "Tags": {...}}') from None
    if configuration.get("ParameterOverrides"):
        try:
            parameters.update(json.loads(configuration["ParameterOverrides"]))
        except (ValueError, TypeError):
            raise ActionFailed("ParameterOverrides is not a JSON object of parameter names and values") from None
    arguments = {"StackName": stack, "TemplateBody": template,
                 "Parameters": [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()],
                 "Tags": [{"Key": k, "Value": str(v)} for k, v in tags.items()]}
    if configuration.get("Capabilities"):
        arguments["Capabilities"] = [c.strip() for c in configuration["Capabilities"].split(",")]
    if configuration.get("RoleArn"):
        arguments["RoleARN"] = configuration["RoleArn"]
    return arguments


def _zip(execution, action, artifact_name: str) -> bytes:
    artifact = next((a for a in action.input_artifacts if a.name == artifact_name), None)
    if artifact is None:
        raise ActionFailed(f"Artifact {artifact_name} is not an input artifact of action {action.name}")
    return execution.client("s3").get_object(Bucket=artifact.bucket, Key=artifact.key)["Body"].read()


def _wait(cloudformation, stack: str, deleting: bool) -> None:
    while True:
        status = _status(cloudformation, stack)
        if status is None and deleting:
            return
        if status in SUCCEEDED_STATES or status in FAILED_STATES or status == "UPDATE_ROLLBACK_COMPLETE":
            break
        time.sleep(POLL_SECONDS)
    if status not in SUCCEEDED_STATES:
        raise ActionFailed(_failure(cloudformation, stack, status))


def _failure(cloudformation, stack: str, status: str) -> str:
    """The stack's state and the first failed resource's reason, from its events."""
    events = cloudformation.describe_stack_events(StackName=stack)["StackEvents"]
    failed = [e for e in reversed(events) if e.get("ResourceStatus", "").endswith("FAILED")
              and e.get("LogicalResourceId") != stack]
    message = f"Stack {stack} in state {status}"
    if failed:
        event = failed[0]
        message += (f". Resource {event['LogicalResourceId']} ({event.get('ResourceType')}) "
                    f"{event['ResourceStatus']}: {event.get('ResourceStatusReason', '')}")
    return message
