"""A pipeline definition parsed and checked as SageMaker checks it at CreatePipeline.

What SageMaker rejects (JSON it cannot read, a step type it does not know, two steps with
one name, ``DependsOn`` or ``Get`` naming a step that is not there, a property the step's
job does not have, a parameter that is not declared, a dependency cycle) raises
``DefinitionError`` with a message that names the step and says what to fix. Property
paths are checked against botocore's model of the Describe call that backs each step
type, as the SDK builds them.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from graphlib import CycleError, TopologicalSorter
from typing import Any

import botocore.session

from .conditions import CONDITION_TYPES
from .expressions import EXECUTION_VARIABLES, ExpressionError, Reference, format_path, references

# The Describe response whose fields a step's properties are (as the SDK's Properties use).
PROPERTY_SHAPES = {
    "Processing": "DescribeProcessingJobResponse",
    "Training": "DescribeTrainingJobResponse",
    "RegisterModel": "DescribeModelPackageOutput",
    "Model": "DescribeModelOutput",
    "Condition": None,
    "Fail": None,
}
RUNNABLE_TYPES = tuple(PROPERTY_SHAPES)
# Types the service knows but the local backend does not run.
OTHER_SERVICE_TYPES = ("Transform", "Tuning", "CreateModel", "Lambda", "Callback", "ClarifyCheck",
                       "QualityCheck", "EMR", "EMRServerless", "AutoML", "NotebookJob", "Endpoint",
                       "EndpointConfig", "Function", "InferenceComponent", "ForEach", "Cleanup",
                       "Lineage")
PARAMETER_TYPES = {"String": str, "Integer": int, "Float": (int, float), "Boolean": bool}


class DefinitionError(ValueError):
    """SageMaker would reject this definition; str() says where and what to change."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any = None
    has_default: bool = False
    enum_values: tuple = ()


@dataclass(frozen=True)
class Step:
    name: str
    type: str
    arguments: dict
    depends_on: frozenset = frozenset()
    property_files: dict = field(default_factory=dict)  # name -> {"OutputName", "FilePath"}
    branch: tuple | None = None  # (condition step name, outcome) that must hold for it to run
    display_name: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Definition:
    parameters: dict  # name -> Parameter
    steps: dict  # name -> Step, in definition order
    order: tuple  # step names, each after everything it depends on


def parse(source: str | dict) -> Definition:
    """The definition as the executor runs it, or DefinitionError naming what SageMaker rejects."""
    document = _load(source)
    parameters = _parameters(document.get("Parameters", []))
    raw_steps = document.get("Steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise DefinitionError("The pipeline definition has no Steps: pass steps=[...] to Pipeline(...).")
    steps: dict[str, Step] = {}
    _collect(raw_steps, None, steps)
    for step in steps.values():
        _check_references(step, steps, parameters)
    return Definition(parameters, steps, _order(steps))


def _load(source: str | dict) -> dict:
    if isinstance(source, dict):
        return source
    try:
        document = json.loads(source)
    except (TypeError, json.JSONDecodeError) as error:
        raise DefinitionError(f"The pipeline definition is not valid JSON ({error}). Pass "
                              "pipeline.definition() as PipelineDefinition.") from error
    if not isinstance(document, dict):
        raise DefinitionError("The pipeline definition must be a JSON object with Version, "
                              "Parameters and Steps.")
    return document


def _parameters(raw: Any) -> dict[str, Parameter]:
    if not isinstance(raw, list):
        raise DefinitionError("Parameters must be a list of {Name, Type, DefaultValue}.")
    parameters = {}
    for item in raw:
        if not isinstance(item, dict):
            raise DefinitionError(f"A pipeline parameter must be an object {{Name, Type, DefaultValue}}, "
                                  f"got {item!r}.")
        name, kind = item.get("Name"), item.get("Type")
        if not name:
            raise DefinitionError(f"A pipeline parameter has no Name: {item!r}.")
        if name in parameters:
            raise DefinitionError(f"Parameter names must be unique: {name!r} is declared twice.")
        if kind not in PARAMETER_TYPES:
            raise DefinitionError(f"Parameter {name} has Type {kind!r}; use one of "
                                  f"{', '.join(PARAMETER_TYPES)}.")
        default = item.get("DefaultValue")
        if "DefaultValue" in item and not _has_type(default, kind):
            raise DefinitionError(f"Parameter {name} is of Type {kind} but its DefaultValue "
                                  f"{default!r} is not.")
        enum_values = tuple(item.get("EnumValues") or ())
        if enum_values and "DefaultValue" in item and default not in enum_values:
            raise DefinitionError(f"Parameter {name}'s DefaultValue {default!r} is not one of its "
                                  f"EnumValues {list(enum_values)}.")
        parameters[name] = Parameter(name, kind, default, "DefaultValue" in item, enum_values)
    return parameters


def _has_type(value: Any, kind: str) -> bool:
    if kind != "Boolean" and isinstance(value, bool):
        return False
    return isinstance(value, PARAMETER_TYPES[kind])


def _collect(raw_steps: list, branch: tuple | None, steps: dict) -> None:
    for raw in raw_steps:
        if not isinstance(raw, dict) or not raw.get("Name"):
            raise DefinitionError(f"Every step needs a Name and a Type; got {raw!r}.")
        name, kind = raw["Name"], raw.get("Type")
        if name in steps:
            raise DefinitionError(f"Step names must be unique within a pipeline: {name!r} is used by "
                                  "more than one step. Rename one of them.")
        if kind not in RUNNABLE_TYPES:
            if kind in OTHER_SERVICE_TYPES:
                raise DefinitionError(f"Step {name} has Type {kind}, which the local backend does not "
                                      f"run: it runs {', '.join(RUNNABLE_TYPES)} steps.")
            raise DefinitionError(f"Step {name} has an unknown step Type {kind!r}: SageMaker Pipelines "
                                  f"knows {', '.join(RUNNABLE_TYPES + OTHER_SERVICE_TYPES)}.")
        arguments = raw.get("Arguments", {})
        if not isinstance(arguments, dict):
            raise DefinitionError(f"Step {name}: Arguments must be a JSON object.")
        depends_on = raw.get("DependsOn") or []
        if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
            raise DefinitionError(f"Step {name}: DependsOn must be a list of step names.")
        property_files = raw.get("PropertyFiles") or []
        if not isinstance(property_files, list) or not all(
                isinstance(pf, dict) and pf.get("PropertyFileName") and pf.get("OutputName")
                for pf in property_files):
            raise DefinitionError(f"Step {name}: PropertyFiles must be a list of {{PropertyFileName, "
                                  "OutputName, FilePath}}.")
        property_files = {pf["PropertyFileName"]: pf for pf in property_files}
        steps[name] = Step(name, kind, arguments, frozenset(depends_on), property_files, branch,
                           raw.get("DisplayName"), raw.get("Description"))
        if kind == "Condition":
            _check_conditions(name, arguments.get("Conditions"))
            for key, outcome in (("IfSteps", True), ("ElseSteps", False)):
                nested = arguments.get(key, [])
                if not isinstance(nested, list) or not all(isinstance(s, dict) for s in nested):
                    raise DefinitionError(f"Condition step {name}: {key} must be a list of steps.")
                _collect(nested, (name, outcome), steps)


def _check_conditions(step: str, conditions: Any) -> None:
    if not isinstance(conditions, list) or not conditions:
        raise DefinitionError(f"Condition step {step} has no Conditions.")
    for condition in conditions:
        kind = condition.get("Type") if isinstance(condition, dict) else None
        if kind not in CONDITION_TYPES:
            raise DefinitionError(f"Condition step {step}: unknown condition Type {kind!r}; use one "
                                  f"of {', '.join(CONDITION_TYPES)}.")
        if kind in ("Or", "And"):
            _check_conditions(step, condition.get("Conditions"))
        if kind == "Not":
            _check_conditions(step, [condition.get("Expression")])


def _arguments_of(step: Step) -> Any:
    """What a step evaluates (a Condition's branches are steps of their own)."""
    if step.type == "Condition":
        return step.arguments.get("Conditions")
    return step.arguments


def step_references(step: Step) -> list[Reference]:
    try:
        return list(references(_arguments_of(step)))
    except ExpressionError as error:
        raise DefinitionError(f"Step {step.name}: {error}") from error


def _check_references(step: Step, steps: dict, parameters: dict) -> None:
    for name in step.depends_on:
        if name not in steps:
            raise DefinitionError(f"Step {step.name} DependsOn step {name!r}, which is not in the "
                                  "pipeline. Add that step to steps=[...] or fix the name.")
    for reference in step_references(step):
        where = f"Step {step.name} refers to {reference.text}"
        if reference.kind == "Parameters" and reference.name not in parameters:
            raise DefinitionError(f"{where}, but the pipeline declares no parameter "
                                  f"{reference.name!r}: add it to Pipeline(parameters=[...]).")
        if reference.kind == "Execution" and reference.name not in EXECUTION_VARIABLES:
            raise DefinitionError(f"{where}, which is not an execution variable; use one of "
                                  f"{', '.join(EXECUTION_VARIABLES)}.")
        if reference.kind == "Steps":
            _check_property(where, reference, steps)


def _check_property(where: str, reference: Reference, steps: dict) -> None:
    target = steps.get(reference.name)
    if target is None:
        raise DefinitionError(f"{where}, but there is no step named {reference.name!r} in the "
                              "pipeline. Add the step to steps=[...] or fix the name.")
    if reference.path[0] == "PropertyFiles":
        files = target.property_files
        if len(reference.path) != 2 or reference.path[1] not in files:
            raise DefinitionError(f"{where}, but step {target.name} declares no such property file "
                                  f"(it declares {sorted(files) or 'none'}): pass property_files=[...] "
                                  "to its ProcessingStep.")
        return
    shape_name = PROPERTY_SHAPES[target.type]
    if shape_name is None:
        raise DefinitionError(f"{where}, but a {target.type} step has no properties to read.")
    problem = _path_problem(_shape(shape_name), reference.path)
    if problem:
        raise DefinitionError(f"{where}, but {problem} (step {target.name} is a {target.type} "
                              f"step whose properties are those of {shape_name}).")


@cache
def _service_model():
    return botocore.session.get_session().get_service_model("sagemaker")


def _shape(name: str):
    return _service_model().shape_for(name)


def _path_problem(shape, path: tuple) -> str | None:
    for position, token in enumerate(path):
        here = format_path(path[:position]) or "the step"
        if shape.type_name == "structure":
            if not isinstance(token, str) or token not in shape.members:
                return (f"{here} has no property {format_path((token,)).lstrip('.')!r}; it has "
                        f"{', '.join(sorted(shape.members))}")
            shape = shape.members[token]
        elif shape.type_name == "list":
            if isinstance(token, str):
                return f"{here} is a list: select an item with [0] or ['name']"
            shape = shape.member
        elif shape.type_name == "map":
            if not isinstance(token, tuple):
                return f"{here} is a map: select a value with ['key']"
            shape = shape.value
        else:
            return f"{here} is a {shape.type_name} and has no property {format_path((token,))!r}"
    return None


def dependencies(step: Step, steps: dict) -> set[str]:
    """Steps that must succeed first: DependsOn, the steps its expressions read, its Condition."""
    needed = set(step.depends_on)
    needed.update(r.name for r in step_references(step) if r.kind == "Steps")
    if step.branch:
        needed.add(step.branch[0])
    return needed


def _order(steps: dict) -> tuple:
    graph = {name: dependencies(step, steps) for name, step in steps.items()}
    for name, needed in graph.items():
        if name in needed:
            raise DefinitionError(f"Step {name} depends on itself: remove it from its own "
                                  "DependsOn or stop reading its own properties.")
    try:
        return tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise DefinitionError(f"The pipeline's steps depend on each other in a cycle ({cycle}): "
                              "a pipeline must be a DAG. Remove one of these dependencies.") from error
