"""The local backend's house rules, read from its source: rooms keep their private state.

A room is a package of ``mlops_kit.local`` (``endpoints``, ``pipelines``, …); a top-level
module (``clock``, ``seams``, …) is a room of its own. A name starting with ``_`` is that
room's business: another room must not import it nor read it off an imported module. The
pure rules (the Model Monitor analyzer, the alarm rules, pipeline definitions) import no
moto, so they stay testable and readable without the server.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import mlops_kit.local

LOCAL = Path(mlops_kit.local.__file__).parent
PURE_MODULES = [
    "mlops_kit.local.model_monitor.analyzer.container",
    "mlops_kit.local.model_monitor.schedules",
    "mlops_kit.local.cloudwatch.alarm_rules",
    "mlops_kit.local.pipelines.definition",
    "mlops_kit.local.pipelines.parameters",
    "mlops_kit.local.endpoints.capture",
    "mlops_kit.local.endpoints.csv_inference",
    "mlops_kit.local.codebuild.buildspec",
]


def module_name(path: Path) -> str:
    parts = path.relative_to(LOCAL.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room_of(module: str) -> str:
    return ".".join(module.split(".")[:3])


def imported_from(tree: ast.Module, module: str, is_package: bool) -> list[tuple[str, str, str]]:
    """(source module, name, local name) for every ``from X import name [as local]``, made absolute."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                source = ".".join(base + ([source] if source else []))
            found += [(source, alias.name, alias.asname or alias.name) for alias in node.names]
    return found


def is_kit_module(dotted: str) -> bool:
    path = LOCAL.parent.parent / dotted.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def private_use_across_rooms(module: str, source: str, is_package: bool = False) -> list[str]:
    """Each import or read of another room's ``_name`` in ``source``, the code of ``module``."""
    tree = ast.parse(source)
    problems = []
    module_aliases = {}
    for origin, name, local_name in imported_from(tree, module, is_package):
        if not origin.startswith("mlops_kit.local"):
            continue
        if is_kit_module(f"{origin}.{name}"):
            module_aliases[local_name] = f"{origin}.{name}"
        elif name.startswith("_") and room_of(origin) != room_of(module):
            problems.append(f"{module} imports {name} from {origin}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            target = module_aliases.get(node.value.id)
            if target and room_of(target) != room_of(module):
                problems.append(f"{module} reads {node.value.id}.{node.attr} of {target}")
    return problems


def test_no_room_reads_another_rooms_private_names():
    problems = [
        problem
        for path in sorted(LOCAL.rglob("*.py"))
        for problem in private_use_across_rooms(module_name(path), path.read_text(), path.name == "__init__.py")
    ]
    assert problems == []


def test_the_rule_names_a_private_read_and_a_private_import():
    source = (
        "from ..processing import patch as processing\n"
        "from ..endpoints.patch import _runtimes\n"
        "from .definition import _private_but_same_room\n"
        "def peek():\n"
        "    return processing._request_extras\n"
    )
    assert private_use_across_rooms("mlops_kit.local.pipelines.steps", source) == [
        "mlops_kit.local.pipelines.steps imports _runtimes from mlops_kit.local.endpoints.patch",
        "mlops_kit.local.pipelines.steps reads processing._request_extras of mlops_kit.local.processing.patch",
    ]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_rules_import_no_moto(module):
    probe = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'moto', 'werkzeug'}}))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_each_class_name_is_defined_once_in_the_kit():
    kit = LOCAL.parent
    where: dict[str, list[str]] = {}
    for path in sorted(kit.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(str(path.relative_to(kit)))
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}
