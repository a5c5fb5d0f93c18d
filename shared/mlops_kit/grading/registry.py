"""Finding a lab's checks: module `<package>.<lab>` for each lab package, imported on demand.

The kit's labs live in `mlops_kit.grading.labs`. Extra packages (a course's own labs,
or the test suite's fixture lab) are named, comma-separated, in the environment
variable `MLOPS_KIT_LAB_PACKAGES`; they must be importable (e.g. on `PYTHONPATH`),
and the grader's kernels inherit both variables.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil

from mlops_kit.grading.checks import LAB_ID, Check

KIT_LABS = "mlops_kit.grading.labs"
EXTRA_LABS_ENV = "MLOPS_KIT_LAB_PACKAGES"


class UnknownCheck(LookupError):
    """A lab or exercise id that no check module defines; the message lists the valid ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def lab_packages() -> list[str]:
    extra = [name.strip() for name in os.environ.get(EXTRA_LABS_ENV, "").split(",") if name.strip()]
    return [KIT_LABS, *extra]


def import_lab_package(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(f"{EXTRA_LABS_ENV} names the lab package {name!r}, which cannot be imported ({error}): "
                          "add the folder holding it to PYTHONPATH.") from None


def known_labs() -> list[str]:
    """Every lab id with a checks module, sorted."""
    labs = set()
    for package_name in lab_packages():
        package = import_lab_package(package_name)
        labs.update(info.name for info in pkgutil.iter_modules(package.__path__) if LAB_ID.match(info.name))
    return sorted(labs)


def lab_module(lab: str):
    """The checks module of `lab` (its checks, and what the lab hands in: `HAND_IN`, `BUILDS_ON`)."""
    if LAB_ID.match(lab or ""):
        for package_name in lab_packages():
            module_name = f"{package_name}.{lab}"
            import_lab_package(package_name)
            if importlib.util.find_spec(module_name) is not None:
                return importlib.import_module(module_name)
    known = ", ".join(known_labs()) or "none"
    raise UnknownCheck(f"There are no checks for lab {lab!r}. Known labs: {known}.")


def lab_checks(lab: str) -> list[Check]:
    """The checks of `lab`, in the order its module defines them."""
    module = lab_module(lab)
    return [value for value in vars(module).values() if isinstance(value, Check) and value.lab == lab]


def builds_on(lab: str) -> dict[str, tuple[str, ...]]:
    """Exercise -> the earlier exercises whose results it uses (the lab module's `BUILDS_ON`)."""
    return getattr(lab_module(lab), "BUILDS_ON", {})


def exercises(lab: str) -> list[str]:
    """The exercise ids of `lab`, in order of first appearance."""
    return list(dict.fromkeys(check.exercise for check in lab_checks(lab)))


def exercise_checks(exercise_id: str) -> list[Check]:
    """The checks of `'<lab>.<exercise>'`, hidden ones included."""
    lab, dot, exercise = exercise_id.partition(".")
    if not dot or not exercise:
        raise UnknownCheck(f"{exercise_id!r} is not an exercise id: write '<lab>.<exercise>', e.g. 'lab0.split'.")
    checks = [check for check in lab_checks(lab) if check.exercise == exercise]
    if not checks:
        valid = ", ".join(f"{lab}.{name}" for name in exercises(lab))
        raise UnknownCheck(f"Lab {lab!r} has no exercise {exercise!r}. Its exercises are: {valid}.")
    return checks
