"""Template bodies parsed before moto sees them: a bad template is a ValidationError, not a 500.

Messages as CloudFormation writes them: "Template format error: YAML not well-formed. ...",
"Template format error: Unrecognized resource types: [AWS::Foo::Bar]" (the resource types
the kit cannot create count as unrecognised: a stack must not pretend to have made them).
"""

import json

import yaml
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Stack
from moto.cloudformation.parsing import NULL_MODELS, get_model_map


def parse(body: str | None) -> dict:
    if not body:
        raise ValidationError(message="Either Template URL or Template Body must be specified.")
    try:
        template = Stack.parse_template(body)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ValidationError(message=f"Template format error: YAML not well-formed.{where}") from None
    except json.JSONDecodeError as error:
        raise ValidationError(message=f"Template format error: JSON not well-formed. (line {error.lineno}, "
                                      f"column {error.colno})") from None
    if not isinstance(template, dict):
        raise ValidationError(message="Template format error: unsupported structure.")
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise ValidationError(message="Template format error: At least one Resources member must be defined.")
    if not all(isinstance(r, dict) and isinstance(r.get("Type"), str) for r in resources.values()):
        raise ValidationError(message="Template format error: Every Resources object must contain a Type member.")
    unknown = sorted({r["Type"] for r in resources.values()
                      if not r["Type"].startswith("Custom::") and r["Type"] not in NULL_MODELS
                      and r["Type"] not in get_model_map()})
    if unknown:
        raise ValidationError(message=f"Template format error: Unrecognized resource types: [{', '.join(unknown)}]")
    return template
