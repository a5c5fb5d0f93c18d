"""The lab pipeline as data: each transform does one job; render.py applies them in the listed order.

Cell transforms take ``(cell, where)`` and return the cell (changed in place) or ``None`` to drop
it. Order matters in one place, and a test pins it: cells are dropped before their markers are
read, so a ``solution-only`` cell may hold anything.
"""

from collections.abc import Callable

from nbformat import NotebookNode

from . import markers
from .errors import AuthoringError, Location

CellTransform = Callable[[NotebookNode, Location], NotebookNode | None]
NotebookTransform = Callable[[NotebookNode, Location], NotebookNode]

SOLUTION_ONLY_TAG = "solution-only"
PAPERMILL_INJECTED_TAG = "injected-parameters"
CELL_RUN_METADATA = ("execution", "papermill", "ExecuteTime")
NOTEBOOK_RUN_METADATA = ("papermill",)


def _tags(cell: NotebookNode) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def drop_solution_only_cells(cell: NotebookNode, where: Location) -> NotebookNode | None:
    """Cells tagged ``solution-only`` (worked answers, notes to instructors) never reach learners."""
    return None if SOLUTION_ONLY_TAG in _tags(cell) else cell


def drop_injected_parameters(cell: NotebookNode, where: Location) -> NotebookNode | None:
    """A solution executed by papermill carries its injected parameters; the lab keeps only the defaults."""
    return None if PAPERMILL_INJECTED_TAG in _tags(cell) else cell


def remove_hidden_code(cell: NotebookNode, where: Location) -> NotebookNode:
    """Hidden blocks (grading-only set-up, answer checks) vanish with their markers."""
    if cell.cell_type == "code":
        cell.source = markers.remove_hidden_code(cell.source, where)
    return cell


def stub_solution_code(cell: NotebookNode, where: Location) -> NotebookNode:
    """Solution blocks become a TODO and a NotImplementedError, so an unfinished lab fails loudly."""
    if cell.cell_type == "code":
        cell.source = markers.stub_solution_code(cell.source, where)
    return cell


def remove_markdown_solutions(cell: NotebookNode, where: Location) -> NotebookNode:
    """Written answers inside ``<!-- BEGIN SOLUTION -->`` spans are cut from markdown."""
    if cell.cell_type == "markdown":
        cell.source = markers.remove_markdown_solutions(cell.source, where)
    return cell


def clear_outputs(cell: NotebookNode, where: Location) -> NotebookNode:
    """Outputs would show the answers and churn the diff."""
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def drop_cell_run_metadata(cell: NotebookNode, where: Location) -> NotebookNode:
    """Timings written by nbclient, papermill or Jupyter extensions change on every run."""
    for key in CELL_RUN_METADATA:
        cell.metadata.pop(key, None)
    return cell


CELL_TRANSFORMS: tuple[CellTransform, ...] = (
    drop_solution_only_cells,
    drop_injected_parameters,
    remove_hidden_code,
    stub_solution_code,
    remove_markdown_solutions,
    clear_outputs,
    drop_cell_run_metadata,
)


def mark_as_lab(notebook: NotebookNode, where: Location) -> NotebookNode:
    """Keep the ``workshop`` metadata and say this copy is the lab; refuse anything but a solution."""
    workshop = notebook.metadata.setdefault("workshop", {})
    kind = workshop.get("kind", "solution")
    if kind != "solution":
        raise AuthoringError(
            where,
            f'notebook metadata says workshop.kind is "{kind}"; only solutions belong in solutions/. '
            'Set "kind": "solution", or move the notebook out of solutions/.',
        )
    workshop["kind"] = "lab"
    return notebook


def drop_notebook_run_metadata(notebook: NotebookNode, where: Location) -> NotebookNode:
    """Papermill's record of the last run (parameters, timings) is not part of the lab."""
    for key in NOTEBOOK_RUN_METADATA:
        notebook.metadata.pop(key, None)
    return notebook


NOTEBOOK_TRANSFORMS: tuple[NotebookTransform, ...] = (mark_as_lab, drop_notebook_run_metadata)

PYTHON_TRANSFORMS: tuple[Callable[[str, Location], str], ...] = (
    markers.remove_hidden_code,
    markers.stub_solution_code,
)
YAML_TRANSFORMS: tuple[Callable[[str, Location], str], ...] = (
    markers.remove_hidden_code,
    markers.comment_solution_code,
)
