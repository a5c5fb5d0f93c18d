"""Parameter values checked against the template's Parameters, with CloudFormation's messages.

Wording as CloudFormation answers CreateStack/UpdateStack (ValidationError), e.g.
"Parameters: [DeploymentTag] must have values" (openedx-unsupported/configuration#1993),
"Parameter 'VPCSubnetCidrBlock' must match pattern ..." (bonusbits/cloudformation_templates#6);
the length/bound/AllowedValues messages follow the same form. AllowedPattern must match the
whole value; a ConstraintDescription replaces the reason.
"""

import re

from moto.cloudformation.exceptions import ValidationError


def check(declared: dict, given: dict[str, str], previous: dict[str, str] | None = None) -> dict[str, str]:
    """The effective values (given, else previous on update, else Default); raise ValidationError."""
    if not isinstance(declared, dict):
        raise ValidationError(message="Template format error: Parameters must be a map of parameter declarations")
    unknown = [name for name in given if name not in declared]
    if unknown:
        raise ValidationError(message=f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    values, missing = {}, []
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        if name in given:
            values[name] = given[name]
        elif previous and name in previous:
            values[name] = previous[name]
        elif "Default" in spec:
            values[name] = str(spec["Default"])
        else:
            missing.append(name)
    if missing:
        raise ValidationError(message=f"Parameters: [{', '.join(missing)}] must have values")
    for name, spec in declared.items():
        reason = _violation(values[name], spec if isinstance(spec, dict) else {})
        if reason:
            raise ValidationError(message=f"Parameter '{name}' {spec.get('ConstraintDescription') or reason}")
    return values


def _violation(value: str, spec: dict) -> str | None:
    kind = spec.get("Type", "String")
    if kind == "Number":
        try:
            number = float(value)
        except ValueError:
            return "must be a number"
        if "MinValue" in spec and number < float(spec["MinValue"]):
            return f"must be a number not less than {spec['MinValue']}"
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            return f"must be a number not greater than {spec['MaxValue']}"
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        return f"must contain at least {spec['MinLength']} characters"
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        return f"must contain at most {spec['MaxLength']} characters"
    pattern = spec.get("AllowedPattern")
    if pattern is not None:
        try:
            matched = re.fullmatch(str(pattern), value)
        except re.error as error:
            return f"has an AllowedPattern that is not a valid regular expression ({error})"
        if not matched:
            return f"must match pattern {pattern}"
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [str(v) for v in allowed]:
        return "must be one of AllowedValues"
    return None
