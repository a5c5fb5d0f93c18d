"""Learner cells teach SageMaker, not plumbing: the kit prepares the kernel at session start
(sys.path, reloading edited modules, quiet loggers) and the session says how long to wait
between two looks (``session.poll_seconds``), so no solution cell branches on the backend."""

import re
from pathlib import Path

import nbformat
import pytest

SOLUTIONS = sorted((Path(__file__).resolve().parents[2] / "solutions").glob("lab*.ipynb"))
PLUMBING = {
    "branches on the backend": re.compile(r"\bbackend\s*[!=]=|[!=]=\s*backend\b"),
    "edits sys.path": re.compile(r"\bsys\.path\b"),
    "reloads modules": re.compile(r"\breload\("),
    "silences loggers": re.compile(r"getLogger\([^)]*\)\.setLevel"),
}


def learner_cells(path: Path):
    """Code cells other than the papermill parameters cell, which sets the backend."""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            yield cell


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_no_learner_cell_does_the_kits_plumbing(path):
    found = [f"cell {cell.get('id')} {what}: {match.group(0)!r}" for cell in learner_cells(path)
             for what, pattern in PLUMBING.items() for match in [pattern.search(cell.source)] if match]
    assert found == []
