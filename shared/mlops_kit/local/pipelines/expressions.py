"""The pipeline definition's expression language: ``Get``, ``Std:Join``, ``Std:JsonGet``.

What the SDK writes for a parameter, an execution variable or a step property is a
reference (``{"Get": "Parameters.Threshold"}``, ``{"Get": "Steps.Train.ModelArtifacts
.S3ModelArtifacts"}``); ``resolve`` replaces every reference in a step's arguments by its
value, through a ``Lookup`` that the executor provides (so this module stays pure).
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from jsonpath_ng import parse as parse_json_path

EXECUTION_VARIABLES = ("PipelineExecutionId", "PipelineExecutionArn", "StartDateTime",
                       "CurrentDateTime", "PipelineName", "PipelineArn", "TrainingJobName",
                       "ProcessingJobName")
_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(\d+)\s*\]")


class ExpressionError(ValueError):
    """An expression that cannot be evaluated; str() says which one and why."""


@dataclass(frozen=True)
class Reference:
    """A parsed ``Get``: ``Parameters.X``, ``Execution.X`` or ``Steps.X.<property path>``."""

    kind: str  # "Parameters", "Execution" or "Steps"
    name: str
    path: tuple = ()  # for Steps: names (str) and indexes ('key' as ("key",), 0 as int)

    @property
    def text(self) -> str:
        return "Get " + ".".join([self.kind, self.name]) + format_path(self.path)


class Lookup(Protocol):
    def parameter(self, name: str) -> Any: ...
    def execution_variable(self, name: str) -> Any: ...
    def step_property(self, step: str, path: tuple) -> Any: ...
    def property_file(self, step: str, name: str) -> Any: ...
    def s3_json(self, uri: str) -> Any: ...


def parse_path(text: str) -> tuple:
    """``A.B['x'].C[0]`` -> ("A", "B", ("x",), "C", 0); raise ExpressionError if malformed."""
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or (position == 0 and text.startswith(".")):
            raise ExpressionError(f"cannot read the property path {text!r} at {text[position:]!r}")
        name, quoted, double_quoted, index = match.groups()
        if name is not None:
            tokens.append(name)
        elif index is not None:
            tokens.append(int(index))
        else:
            tokens.append((quoted if quoted is not None else double_quoted,))
        position = match.end()
    if not tokens or not isinstance(tokens[0], str):
        raise ExpressionError(f"cannot read the property path {text!r}")
    return tuple(tokens)


def format_path(path: tuple) -> str:
    parts = []
    for token in path:
        if isinstance(token, int):
            parts.append(f"[{token}]")
        elif isinstance(token, tuple):
            parts.append(f"['{token[0]}']")
        else:
            parts.append(f".{token}")
    return "".join(parts)


def parse_reference(text: Any) -> Reference:
    if not isinstance(text, str):
        raise ExpressionError(f"Get needs a string such as 'Parameters.Name', got {text!r}")
    kind, _, rest = text.partition(".")
    if kind not in ("Parameters", "Execution", "Steps") or not rest:
        raise ExpressionError(f"Get {text!r}: a reference starts with Parameters., Execution. "
                              "or Steps.<step name>.")
    if kind != "Steps":
        return Reference(kind, rest)
    tokens = parse_path(rest)
    if len(tokens) < 2:
        raise ExpressionError(f"Get {text!r}: name a property of step {tokens[0]!r}, for example "
                              f"Steps.{tokens[0]}.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri.")
    return Reference("Steps", tokens[0], tokens[1:])


def references(value: Any) -> Iterator[Reference]:
    """Every reference inside a JSON value (the step names a step depends on come from here)."""
    if isinstance(value, dict):
        if set(value) == {"Get"}:
            yield parse_reference(value["Get"])
            return
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def resolve(value: Any, lookup: Lookup) -> Any:
    """``value`` with every expression replaced by what it evaluates to."""
    if isinstance(value, list):
        return [resolve(item, lookup) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Get"}:
        return _get(parse_reference(value["Get"]), lookup)
    if set(value) == {"Std:Join"}:
        return _join(value["Std:Join"], lookup)
    if set(value) == {"Std:JsonGet"}:
        return _json_get(value["Std:JsonGet"], lookup)
    return {key: resolve(item, lookup) for key, item in value.items()}


def to_text(value: Any) -> str:
    """A value as the service writes it into a string (Join, hyperparameters, messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _get(reference: Reference, lookup: Lookup) -> Any:
    if reference.kind == "Parameters":
        return lookup.parameter(reference.name)
    if reference.kind == "Execution":
        return lookup.execution_variable(reference.name)
    if reference.path[:1] == ("PropertyFiles",):
        raise ExpressionError(f"{reference.text} is a property file: read a value from it with "
                              "JsonGet(step_name=..., property_file=..., json_path=...).")
    return lookup.step_property(reference.name, reference.path)


def _join(arguments: Any, lookup: Lookup) -> str:
    if not isinstance(arguments, dict) or not isinstance(arguments.get("Values"), list):
        raise ExpressionError(f"Std:Join needs On and a list of Values, got {arguments!r}")
    values = resolve(arguments["Values"], lookup)
    return to_text(arguments.get("On", "")).join(to_text(item) for item in values)


def _json_get(arguments: Any, lookup: Lookup) -> Any:
    if not isinstance(arguments, dict) or "Path" not in arguments:
        raise ExpressionError(f"Std:JsonGet needs a PropertyFile (or S3Uri) and a Path, got {arguments!r}")
    path = arguments["Path"]
    if "S3Uri" in arguments:
        uri = resolve(arguments["S3Uri"], lookup)
        document, where = lookup.s3_json(uri), uri
    else:
        reference = parse_reference((arguments.get("PropertyFile") or {}).get("Get"))
        if reference.kind != "Steps" or reference.path[:1] != ("PropertyFiles",) or len(reference.path) != 2:
            raise ExpressionError(f"Std:JsonGet PropertyFile must be Steps.<step>.PropertyFiles.<name>, "
                                  f"got {reference.text}")
        document = lookup.property_file(reference.name, reference.path[1])
        where = f"property file {reference.path[1]} of step {reference.name}"
    return json_path_value(document, path, where)


def json_path_value(document: Any, path: str, where: str) -> Any:
    """The single value at a JsonPath (``metrics.auc.value`` or ``$.metrics.auc.value``)."""
    try:
        matches = parse_json_path(path).find(document)
    except Exception as error:  # noqa: BLE001 - jsonpath_ng's lexer raises plain Exception
        raise ExpressionError(f"JsonGet path {path!r} is not a valid JsonPath ({error}).") from error
    if not matches:
        keys = sorted(document) if isinstance(document, dict) else type(document).__name__
        raise ExpressionError(f"JsonGet found nothing at path {path!r} in {where} (its top-level "
                              f"keys: {keys}). Fix json_path, or the script that writes the file.")
    return matches[0].value

