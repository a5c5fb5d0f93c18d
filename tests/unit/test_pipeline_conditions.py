"""Condition step conditions: every comparison, In, Not, Or, And, and the errors a learner meets."""

import pytest

from mlops_kit.local.pipelines.conditions import evaluate, holds
from mlops_kit.local.pipelines.expressions import ExpressionError


class Parameters:
    def __init__(self, **values):
        self.values = values

    def parameter(self, name):
        return self.values[name]


def compare(kind, left, right):
    return evaluate({"Type": kind, "LeftValue": left, "RightValue": right}, Parameters())


@pytest.mark.parametrize("kind, expected", [
    ("Equals", [False, True, False]),
    ("GreaterThan", [False, False, True]),
    ("GreaterThanOrEqualTo", [False, True, True]),
    ("LessThan", [True, False, False]),
    ("LessThanOrEqualTo", [True, True, False]),
])
def test_comparisons(kind, expected):
    assert [compare(kind, left, 0.7) for left in (0.6, 0.7, 0.8)] == expected


def test_numbers_compare_as_numbers_whatever_their_source():
    assert compare("GreaterThanOrEqualTo", "0.81", 0.8)
    assert compare("Equals", 3, 3.0)
    assert compare("Equals", "Approved", "Approved")


def test_in_not_or_and():
    lookup = Parameters(status="Approved", auc=0.8)
    status, auc = {"Get": "Parameters.status"}, {"Get": "Parameters.auc"}
    assert evaluate({"Type": "In", "QueryValue": status, "Values": ["Approved", "PendingManualApproval"]}, lookup)
    assert not evaluate({"Type": "In", "QueryValue": status, "Values": ["Rejected"]}, lookup)
    assert evaluate({"Type": "Not", "Expression": {"Type": "LessThan", "LeftValue": auc, "RightValue": 0.7}}, lookup)
    assert evaluate({"Type": "Or", "Conditions": [
        {"Type": "Equals", "LeftValue": auc, "RightValue": 0.1},
        {"Type": "GreaterThan", "LeftValue": auc, "RightValue": 0.7}]}, lookup)
    assert not evaluate({"Type": "And", "Conditions": [
        {"Type": "Equals", "LeftValue": auc, "RightValue": 0.8},
        {"Type": "GreaterThan", "LeftValue": auc, "RightValue": 0.9}]}, lookup)


def test_a_condition_step_holds_when_all_its_conditions_hold():
    true = {"Type": "Equals", "LeftValue": 1, "RightValue": 1}
    false = {"Type": "Equals", "LeftValue": 1, "RightValue": 2}
    assert holds([true, true], Parameters()) and not holds([true, false], Parameters())


def test_ordering_a_number_against_text_says_what_to_check():
    with pytest.raises(ExpressionError, match="JsonGet path leads to a number"):
        compare("GreaterThan", "high", 0.7)
    with pytest.raises(ExpressionError, match="cannot compare"):
        compare("GreaterThan", {"value": 0.8}, 0.7)


def test_an_unknown_condition_type_is_named():
    with pytest.raises(ExpressionError, match="'Approximately'"):
        evaluate({"Type": "Approximately"}, Parameters())
