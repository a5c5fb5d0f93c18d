"""The cost guard: what each lab may start, refused before the request leaves the machine,
and what a lab costs on AWS.

``start_session`` puts :func:`guard_requests` on every boto3 session of the kernel
(``request_hooks``), so a
training, processing or monitoring job, an endpoint configuration or a pipeline asking
for an instance type or count the lab does not need is refused with a message naming
the request, its hourly price and what the lab needs; no call reaches AWS. The same
rule applies on ``local``, so the tests prove it and a learner meets it before paying.
"""

import json
from dataclasses import dataclass

# On-demand prices in us-east-1 (USD an hour), from the SageMaker pricing page on PRICES_DATE.
# Other regions differ by a few per cent; check https://aws.amazon.com/sagemaker/pricing/.
PRICES_DATE = "2026-11-01"
PRICES = {"ml.m5.large": 0.115, "ml.m5.xlarge": 0.23, "ml.m5.2xlarge": 0.461, "ml.m5.4xlarge": 0.922,
          "ml.c5.xlarge": 0.204, "ml.g4dn.xlarge": 0.736, "ml.p3.2xlarge": 3.825}
CODEBUILD_SMALL_PER_MINUTE = 0.005  # BUILD_GENERAL1_SMALL, Linux


class CostGuardError(RuntimeError):
    """A request the lab does not need would start paid instances; the message says what to use."""


@dataclass(frozen=True)
class LabBudget:
    """What one lab may start, and the instance-hours it uses on AWS (its book chapter's table)."""

    job_types: frozenset[str]
    endpoint_types: frozenset[str]
    max_count: int
    instance_hours: dict[str, float]
    codebuild_minutes: float = 0.0

    def estimate(self) -> float:
        return (sum(hours * PRICES[kind] for kind, hours in self.instance_hours.items())
                + self.codebuild_minutes * CODEBUILD_SMALL_PER_MINUTE)


JOBS, ENDPOINTS = frozenset({"ml.m5.xlarge", "ml.m5.large"}), frozenset({"ml.m5.large"})
BUDGETS = {
    "lab0": LabBudget(frozenset(), frozenset(), 0, {}),
    "lab1": LabBudget(JOBS, ENDPOINTS, 1, {"ml.m5.xlarge": 0.3, "ml.m5.large": 0.5}),
    "lab2": LabBudget(JOBS, frozenset(), 1, {"ml.m5.xlarge": 0.6}),
    "lab3": LabBudget(JOBS, ENDPOINTS, 1, {"ml.m5.xlarge": 1.0, "ml.m5.large": 1.5}, codebuild_minutes=40),
    "lab4": LabBudget(JOBS, ENDPOINTS, 1, {"ml.m5.xlarge": 2.5, "ml.m5.large": 10.0}),
}
ANY_LAB = LabBudget(JOBS, ENDPOINTS, 1, {})


def budget(lab: str | None) -> LabBudget:
    return BUDGETS.get(lab or "", ANY_LAB)


def estimate_line(lab: str | None) -> str:
    """One line for the session's summary: the lab's cost on AWS and the prices' date."""
    if lab not in BUDGETS:
        return "see each lab's chapter (pass lab=\"labN\" to start_session for its estimate)"
    return f"about ${budget(lab).estimate():.2f} on AWS (us-east-1 on-demand prices of {PRICES_DATE})"


def requested_instances(operation: str, params: dict) -> list[tuple[str, str, int]]:
    """(what, instance type, count) for every instance group a request would start."""
    if operation == "CreateTrainingJob":
        config = params.get("ResourceConfig", {})
        return [("training job", config.get("InstanceType"), config.get("InstanceCount", 1))]
    if operation == "CreateProcessingJob":
        config = params.get("ProcessingResources", {}).get("ClusterConfig", {})
        return [("processing job", config.get("InstanceType"), config.get("InstanceCount", 1))]
    if operation == "CreateEndpointConfig":
        return [("endpoint", variant.get("InstanceType"), variant.get("InitialInstanceCount", 1))
                for variant in params.get("ProductionVariants", []) if variant.get("InstanceType")]
    if operation == "CreateDataQualityJobDefinition":
        config = params.get("JobResources", {}).get("ClusterConfig", {})
        return [("monitoring job", config.get("InstanceType"), config.get("InstanceCount", 1))]
    if operation == "CreateMonitoringSchedule":
        definition = params.get("MonitoringScheduleConfig", {}).get("MonitoringJobDefinition") or {}
        config = definition.get("MonitoringResources", {}).get("ClusterConfig", {})
        return [("monitoring job", config["InstanceType"], config.get("InstanceCount", 1))] if config else []
    if operation in ("CreatePipeline", "UpdatePipeline"):
        return pipeline_instances(params.get("PipelineDefinition"))
    if operation == "StartPipelineExecution":
        return [(f"pipeline parameter {item['Name']}", item["Value"], 1)
                for item in params.get("PipelineParameters", []) if item["Name"].endswith("InstanceType")]
    return []


def pipeline_instances(definition_text: str | None) -> list[tuple[str, str, int]]:
    """The instance types and counts of a pipeline definition's jobs, parameters resolved to their defaults."""
    try:
        definition = json.loads(definition_text or "{}")
    except ValueError:
        return []  # SageMaker answers a malformed definition itself
    defaults = {item["Name"]: item.get("DefaultValue") for item in definition.get("Parameters", [])}

    def resolve(value):
        if isinstance(value, dict) and "Get" in value and value["Get"].startswith("Parameters."):
            return defaults.get(value["Get"].split(".", 1)[1])
        return value

    found = []
    for step in definition.get("Steps", []):
        arguments = step.get("Arguments") or {}
        config = (arguments.get("ResourceConfig")
                  or arguments.get("ProcessingResources", {}).get("ClusterConfig") or {})
        if config.get("InstanceType"):
            found.append((f"pipeline step {step.get('Name')}", resolve(config["InstanceType"]),
                          int(resolve(config.get("InstanceCount", 1)) or 1)))
    return found


def refusal(lab: str | None, operation: str, params: dict) -> str | None:
    """Why ``operation`` must not run for ``lab``, or None when it may."""
    allowed = budget(lab)
    for what, kind, count in requested_instances(operation, params):
        if not isinstance(kind, str):
            continue  # a pipeline expression resolved at run time; its parameter is checked at start
        types = allowed.endpoint_types if what == "endpoint" else allowed.job_types
        if kind in types and count <= allowed.max_count:
            continue
        needs = (f"{allowed.max_count} × {' or '.join(sorted(types))}" if types
                 else "no instances of this kind")
        price = f" (about ${PRICES[kind] * count:.2f} an hour)" if kind in PRICES else ""
        return (f"The workshop's cost guard refused {operation} before calling AWS: the {what} asks for "
                f"{count} × {kind}{price}, but {lab or 'the labs'} needs {needs}. Use that instance type and "
                "count, or start the session with cost_guard=False if you really mean to pay for more.")
    return None


def guard_requests(lab: str | None):
    """botocore handler: raise CostGuardError before a request the lab does not need is sent."""

    def guard(params, model, **_):
        reason = refusal(lab, model.name, params)
        if reason:
            raise CostGuardError(reason)

    return guard


def running_endpoints(sagemaker_client, tag_filter) -> list[str]:
    """Names of InService endpoints whose tags ``tag_filter(tags)`` accepts (an earlier session's)."""
    names = []
    for page in sagemaker_client.get_paginator("list_endpoints").paginate(StatusEquals="InService"):
        for endpoint in page["Endpoints"]:
            tags = sagemaker_client.list_tags(ResourceArn=endpoint["EndpointArn"]).get("Tags", [])
            if tag_filter({tag["Key"]: tag["Value"] for tag in tags}):
                names.append(endpoint["EndpointName"])
    return names
