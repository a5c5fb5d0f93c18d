"""A Condition step's conditions, evaluated as SageMaker does.

Comparisons (Equals, GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo) take
LeftValue and RightValue; In takes QueryValue and Values; Not takes Expression; And and Or
take Conditions. A ConditionStep's list of conditions holds when every one holds.
"""

import operator
from typing import Any

from .expressions import ExpressionError, Lookup, resolve

COMPARISONS = {
    "Equals": operator.eq,
    "GreaterThan": operator.gt,
    "GreaterThanOrEqualTo": operator.ge,
    "LessThan": operator.lt,
    "LessThanOrEqualTo": operator.le,
}
CONDITION_TYPES = (*COMPARISONS, "In", "Not", "Or", "And")


def holds(conditions: list, lookup: Lookup) -> bool:
    """True when every condition of a ConditionStep holds."""
    return all(evaluate(condition, lookup) for condition in conditions)


def evaluate(condition: dict, lookup: Lookup) -> bool:
    kind = condition.get("Type")
    if kind in COMPARISONS:
        left = resolve(condition.get("LeftValue"), lookup)
        right = resolve(condition.get("RightValue"), lookup)
        return _compare(kind, left, right)
    if kind == "In":
        query = resolve(condition.get("QueryValue"), lookup)
        return any(_compare("Equals", query, value) for value in resolve(condition.get("Values", []), lookup))
    if kind == "Not":
        return not evaluate(condition.get("Expression", {}), lookup)
    if kind == "Or":
        return any(evaluate(item, lookup) for item in condition.get("Conditions", []))
    if kind == "And":
        return all(evaluate(item, lookup) for item in condition.get("Conditions", []))
    raise ExpressionError(f"unknown condition type {kind!r}: use one of {', '.join(CONDITION_TYPES)}")


def _compare(kind: str, left: Any, right: Any) -> bool:
    left, right = _comparable(left), _comparable(right)
    if kind != "Equals" and (isinstance(left, str) != isinstance(right, str)):
        raise ExpressionError(f"Condition {kind} cannot compare {left!r} with {right!r}: one is a "
                              "number and the other is not. Check that the JsonGet path leads to a "
                              "number (not a string or an object).")
    try:
        return COMPARISONS[kind](left, right)
    except TypeError as error:
        raise ExpressionError(f"Condition {kind} cannot compare {left!r} with {right!r}.") from error


def _comparable(value: Any) -> Any:
    """Numbers compare as numbers whether they came from JSON, a parameter or a string."""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    try:
        return float(value)
    except ValueError:
        return value
