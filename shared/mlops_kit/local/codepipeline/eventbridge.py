"""EventBridge rules whose target is a CodePipeline pipeline start an execution of it.

moto's ``Rule.send_to_targets`` delivers to SQS, Logs, buses and API destinations only
(and raises for any other ARN). The kit starts the pipeline for
``arn:aws:codepipeline:<region>:<account>:<name>`` targets (trigger CloudWatchEvent,
triggerDetail the rule's ARN) and hands every other target to moto.
"""

import copy
import functools
import logging

from moto.codepipeline.models import codepipeline_backends
from moto.utilities.arns import parse_arn

from . import runs

logger = logging.getLogger(__name__)


def _is_pipeline(target: dict) -> bool:
    return target["Arn"].split(":")[2:3] == ["codepipeline"]


def start_from_event(rule, target: dict) -> None:
    arn = parse_arn(target["Arn"])
    backend = codepipeline_backends[arn.account][arn.region]
    token = runs.trigger.set({"triggerType": "CloudWatchEvent", "triggerDetail": rule.arn})
    try:
        backend.start_pipeline_execution(arn.resource_id, None)
    except Exception:  # noqa: BLE001 - on AWS a failed invocation does not fail the event's source
        logger.exception("Rule %s could not start pipeline %s", rule.name, target["Arn"])
    finally:
        runs.trigger.reset(token)


def send_to_targets(original):
    @functools.wraps(original)
    def send(self, original_event, transform_input=True):
        pipelines = [t for t in self.targets if _is_pipeline(t)]
        if not pipelines:
            return original(self, original_event, transform_input)
        if not self.event_pattern.matches_event(original_event):
            return None
        for target in pipelines:
            start_from_event(self, target)
        others = [t for t in self.targets if not _is_pipeline(t)]
        if others:
            rest = copy.copy(self)
            rest.targets = others
            original(rest, original_event, transform_input)
        return None

    return send
