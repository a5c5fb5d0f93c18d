"""CreateStack / UpdateStack checked before moto runs them: template, parameters, state, no-op updates."""

import functools

from moto.cloudformation.exceptions import AlreadyExistsException, ValidationError

from . import parameters, templates

BUSY_STATES = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS",
               "ROLLBACK_COMPLETE")


def _given(request) -> dict[str, str]:
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in request._get_param("Parameters", [])
            if not p.get("UsePreviousValue")}


def create_stack(original):
    @functools.wraps(original)
    def action(self):
        name = self._get_param("StackName")
        if any(s.name == name for s in self.cloudformation_backend.stacks.values()):
            raise AlreadyExistsException(f"Stack [{name}] already exists")
        template = templates.parse(self._get_param("TemplateBody"))
        parameters.check(template.get("Parameters") or {}, _given(self))
        return original(self)

    return action


def update_stack(original):
    @functools.wraps(original)
    def action(self):
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        if stack.status in BUSY_STATES:
            raise ValidationError(message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")
        body = stack.template if self._get_bool_param("UsePreviousTemplate", False) else self._get_param("TemplateBody")
        template = templates.parse(body)
        previous = {p["ParameterKey"]: p["ParameterValue"] for p in stack.parameter_list}
        kept = {p["ParameterKey"] for p in self._get_param("Parameters", []) if p.get("UsePreviousValue")}
        values = parameters.check(template.get("Parameters") or {}, _given(self),
                                  {k: v for k, v in previous.items() if k in kept})
        if body == stack.template and values == {k: str(v) for k, v in previous.items()}:
            raise ValidationError(message="No updates are to be performed.")
        return original(self)

    return action
