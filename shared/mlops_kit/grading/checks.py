"""What a check is: a function of the notebook's state, with its points and messages.

Lab modules declare checks with `@graded`; the decorator turns the function into a
`Check`, so a lab's checks are simply the `Check` objects its module defines (no
global registry to keep in sync).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from mlops_kit.grading.results import CheckResult
from mlops_kit.s3_uri import NotAnS3Uri, split_s3_uri

LAB_ID = re.compile(r"^[a-z][a-z0-9_]*$")

CRASH_HINT = "This is a fault in the check, not necessarily in your work: tell your instructor."


class CheckFailed(Exception):
    """Raised by a check to fail with a message written for the learner, and an optional hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


def s3_location(uri: object) -> tuple[str, str]:
    """(bucket, key) of a URI the learner's work produced, or a failed check saying why."""
    try:
        return split_s3_uri(uri)
    except NotAnS3Uri as error:
        raise CheckFailed(str(error)) from None


@dataclass
class CheckContext:
    """What a check may look at: the notebook's namespace, and AWS clients for the backend's state."""

    namespace: dict[str, Any]
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def get(self, name: str) -> Any:
        """The notebook's value for `name`; a missing name fails the check with a message saying so."""
        if name not in self.namespace:
            raise CheckFailed(
                f"`{name}` is not defined yet: run the exercise cell above (and the cells before it), "
                "then run this check again."
            )
        return self.namespace[name]

    def client(self, service: str) -> Any:
        """A boto3 client for `service`, using the environment's AWS settings (endpoint, region, credentials)."""
        if service not in self._clients:
            import boto3  # imported here so that importing the grading package stays light

            self._clients[service] = boto3.client(service)
        return self._clients[service]


@dataclass(frozen=True)
class Check:
    """One graded check: plain data plus the function that inspects the notebook."""

    lab: str
    exercise: str
    name: str
    points: float
    success: str
    hidden: bool
    function: Callable[[CheckContext], Any] = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"{self.lab}.{self.name}"

    def run(self, ctx: CheckContext, note: str = "") -> CheckResult:
        """Run the check; it never raises for the learner's sake (a crash becomes an `error` result)."""
        try:
            self.function(ctx)
        except CheckFailed as failure:
            return self._result("failed", failure.message, failure.hint, note)
        except Exception as crash:  # noqa: BLE001 - a broken check must not break the notebook
            message = f"the check crashed: {type(crash).__name__}: {crash}"
            return self._result("error", message, CRASH_HINT, note)
        return self._result("passed", self.success, "", note)

    def _result(self, status: str, message: str, hint: str, note: str) -> CheckResult:
        return CheckResult(
            check=self.id,
            lab=self.lab,
            exercise=self.exercise,
            status=status,
            message=message,
            hint=hint,
            points=self.points if status == "passed" else 0,
            possible=self.points,
            hidden=self.hidden,
            note=note,
        )


def graded(lab: str, *, exercise: str, points: float, success: str, hidden: bool = False):
    """Declare the decorated function as check `<lab>.<function name>` of `exercise`."""
    if not LAB_ID.match(lab):
        raise ValueError(f"lab id {lab!r} must be lower-case letters, digits and underscores, e.g. 'lab0'")
    if not LAB_ID.match(exercise):
        raise ValueError(f"exercise id {exercise!r} must be lower-case letters, digits and underscores, e.g. 'split'")
    if points <= 0:
        raise ValueError(f"points must be positive, got {points!r}")

    def declare(function: Callable[[CheckContext], Any]) -> Check:
        return Check(lab, exercise, function.__name__, points, success, hidden, function)

    return declare
