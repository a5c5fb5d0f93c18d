"""StartPipelineExecution's parameter values: overrides checked and typed, defaults filled in."""

from typing import Any

from .definition import Parameter

TRUE_FALSE = {"true": True, "false": False}


class ParameterError(ValueError):
    """An override SageMaker would reject at StartPipelineExecution; str() says which."""


def parameter_values(declared: dict[str, Parameter], overrides: list | None) -> dict[str, Any]:
    """Every declared parameter's value for one execution, typed as declared."""
    given = {}
    for item in overrides or []:
        name, value = item.get("Name"), item.get("Value")
        if name not in declared:
            raise ParameterError(f"Parameter {name!r} is not declared by the pipeline (it declares "
                                 f"{', '.join(declared) or 'none'}): fix the name passed to "
                                 "pipeline.start(parameters={...}).")
        given[name] = _typed(declared[name], value)
        if declared[name].enum_values and given[name] not in declared[name].enum_values:
            raise ParameterError(f"Parameter {name} must be one of {list(declared[name].enum_values)}, "
                                 f"got {value!r}.")
    values = {}
    for name, parameter in declared.items():
        if name in given:
            values[name] = given[name]
        elif parameter.has_default:
            values[name] = parameter.default
        else:
            raise ParameterError(f"Parameter {name} has no default value: pass it to "
                                 "pipeline.start(parameters={...}).")
    return values


def _typed(parameter: Parameter, value: Any) -> Any:
    text = str(value)
    try:
        if parameter.type == "Integer":
            return int(text)
        if parameter.type == "Float":
            return float(text)
        if parameter.type == "Boolean":
            return TRUE_FALSE[text.lower()]
    except (ValueError, KeyError):
        raise ParameterError(f"Parameter {parameter.name} is of Type {parameter.type} but was "
                             f"given {text!r}.") from None
    return text
