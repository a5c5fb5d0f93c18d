"""SageMaker Search's SearchExpression evaluated on a record: filters on any property path
(``Parents.ExperimentName``, ``Parameters.max_depth``, ``Metrics.validation:auc.Max``,
``Tags.key``), sub-expressions, And/Or."""

from datetime import datetime
from typing import Any

from moto.sagemaker.exceptions import ValidationError

from .records import as_datetime


def matches_expression(record: dict[str, Any], expression: dict[str, Any]) -> bool:
    """Evaluate a Search ``SearchExpression`` (Filters, SubExpressions, Operator And/Or)."""
    if expression.get("NestedFilters"):
        raise ValidationError(
            "NestedFilters in a SearchExpression are not supported by the local backend; "
            "use Filters with a property path such as 'Parents.ExperimentName'."
        )
    results = [matches_filter(record, f) for f in expression.get("Filters", [])]
    results += [matches_expression(record, sub) for sub in expression.get("SubExpressions", [])]
    if not results:
        return True
    return any(results) if expression.get("Operator") == "Or" else all(results)


_COMPARISONS = {
    "Equals": lambda actual, expected: actual == expected,
    "NotEquals": lambda actual, expected: actual != expected,
    "GreaterThan": lambda actual, expected: actual > expected,
    "GreaterThanOrEqualTo": lambda actual, expected: actual >= expected,
    "LessThan": lambda actual, expected: actual < expected,
    "LessThanOrEqualTo": lambda actual, expected: actual <= expected,
    "Contains": lambda actual, expected: str(expected) in str(actual),
    "In": lambda actual, expected: str(actual) in [part.strip() for part in str(expected).split(",")],
}


def matches_filter(record: dict[str, Any], search_filter: dict[str, Any]) -> bool:
    """One Search filter; a path through a list (Parents, Tags) matches if any element does."""
    operator = search_filter.get("Operator", "Equals")
    values = property_values(record, search_filter["Name"])
    if operator == "Exists":
        return bool(values)
    if operator == "NotExists":
        return not values
    if operator not in _COMPARISONS:
        raise ValidationError(
            f"Operator '{operator}' is not one of {sorted([*_COMPARISONS, 'Exists', 'NotExists'])}."
        )
    compare = _COMPARISONS[operator]
    matched = []
    for actual in values:
        actual, expected = _comparable(actual, search_filter.get("Value"))
        try:
            matched.append(compare(actual, expected))
        except TypeError:
            matched.append(False)
    if operator == "NotEquals":
        return all(matched)
    return any(matched)


def _comparable(actual: Any, expected: Any) -> tuple[Any, Any]:
    if isinstance(actual, bool) or expected is None:
        return str(actual).lower() if isinstance(actual, bool) else actual, expected
    if isinstance(actual, (int, float)):
        try:
            return float(actual), float(expected)
        except (TypeError, ValueError):
            return str(actual), str(expected)
    if isinstance(actual, datetime):
        try:
            return as_datetime(actual), datetime.fromisoformat(str(expected).replace("Z", "+00:00"))
        except ValueError:
            return actual.isoformat(), str(expected)
    return str(actual), str(expected)


def property_values(record: dict[str, Any], path: str) -> list[Any]:
    """Values at a dotted property path; metric and tag lists are keyed by name/key."""
    head, _, rest = path.partition(".")
    if head == "Tags" and rest:
        return [tag["Value"] for tag in record.get("Tags", []) if tag["Key"] == rest]
    if head == "Metrics" and rest:
        metric_name, _, statistic = rest.rpartition(".")
        by_name = {m["MetricName"]: m for m in record.get("Metrics", [])}
        if metric_name in by_name:
            return [by_name[metric_name].get(statistic)] if statistic in by_name[metric_name] else []
        return [by_name[rest]] if rest in by_name else []
    return [v for v in _walk(record, path.split(".")) if v is not None]


def _walk(node: Any, keys: list[str]) -> list[Any]:
    if isinstance(node, list):
        return [value for item in node for value in _walk(item, keys)]
    if not keys:
        if isinstance(node, dict) and ({"NumberValue", "StringValue"} & node.keys()):
            return [node.get("NumberValue", node.get("StringValue"))]
        return [node]
    if isinstance(node, dict) and keys[0] in node:
        return _walk(node[keys[0]], keys[1:])
    return []
