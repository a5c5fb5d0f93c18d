"""Running a submission with papermill in a scratch directory, under a time limit.

The notebook runs on the local backend (parameter `backend="local"`) in a fresh
kernel of the current interpreter, with errors allowed so that a failed exercise
does not stop later ones. A last cell, added by the grader, runs every check of the
lab that no check cell recorded. The time limit covers the learner's cells; the
grader's cell has its own budget.
"""

from __future__ import annotations

import copy
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from traitlets.config import Config

from mlops_kit.grading.handin import kit_lab_folder, lab_hand_in
from mlops_kit.grading.notebook import GRADING_ENV
from mlops_kit.grading.recording import RESULTS_ENV
from mlops_kit.grading.submission import Submission
from mlops_kit.environment_variables import environment_set
from mlops_kit.local.isolation import own_local_backend

GRADER_TAG = "mlops-kit-grader"
CELL_NUMBER_KEY = "mlops_kit_cell"  # the cell's 1-based position in the submission, stamped on the copy
FINAL_CHECKS_SECONDS = 120
RESULTS_FILE = "results.jsonl"
EXECUTED_FILE = "executed.ipynb"
# Local sockets in the scratch directory (the kernel's cwd) rather than TCP ports.
KERNEL_CONFIG = Config({"KernelManager": {"transport": "ipc"}})
# OpenMP pools (XGBoost's training in the server, numpy and scikit-learn in the jobs) of one
# thread: submissions are graded side by side (--jobs), and a pool's threads spinning while
# they wait for a core cost several times the work on a lab's data. Results are the same:
# XGBoost trains the identical model with any thread count.
NATIVE_THREADS = {"OMP_NUM_THREADS": "1"}


@dataclass
class NotebookRun:
    """What running the notebook showed: cells that raised, and why it stopped early (if it did)."""

    cell_errors: list[str] = field(default_factory=list)
    stopped: str = ""


class CellClock:
    """nbclient's `timeout_func`: each cell gets the time left on the notebook's limit.

    It also remembers the running cell, so a timeout or a dead kernel can be reported
    with the cell it happened in.
    """

    def __init__(self, limit: float):
        self.limit = limit
        self.deadline: float | None = None
        self.cell: nbformat.NotebookNode | None = None

    def __call__(self, cell: nbformat.NotebookNode) -> float:
        self.cell = cell
        if is_grader_cell(cell):
            return FINAL_CHECKS_SECONDS
        if self.deadline is None:
            self.deadline = time.monotonic() + self.limit
        return max(self.deadline - time.monotonic(), 0.01)  # 0 would mean "no limit" to nbclient


def execute(submission: Submission, scratch: Path, time_limit: float) -> NotebookRun:
    """Run a copy of the submission in `scratch`; the submission file itself is never opened for writing."""
    prepare_lab_folder(submission, scratch)
    notebook = prepared_copy(submission)
    output = scratch / EXECUTED_FILE
    clock = CellClock(time_limit)
    stopped = ""
    with grading_environment(scratch / RESULTS_FILE):
        try:
            papermill.execute_notebook(
                notebook, str(output), parameters={"backend": "local"}, kernel_name="python3", language="python",
                cwd=str(scratch), progress_bar=False, request_save_on_cell_execute=True,  # saved even if stopped
                allow_errors=True, timeout_func=clock, shutdown_kernel="immediate", config=KERNEL_CONFIG,
            )
        except papermill.PapermillExecutionError:
            pass  # cells raised; they are collected from the executed notebook below
        except CellTimeoutError:
            limit = FINAL_CHECKS_SECONDS if is_grader_cell(clock.cell) else time_limit
            stopped = f"the time limit ({limit:g} s) ran out in {describe(clock.cell)}"
        except DeadKernelError:
            stopped = f"the kernel died in {describe(clock.cell)} (out of memory, or the code exited Python)"
    return NotebookRun(cell_errors(nbformat.read(output, as_version=4)), stopped)


def prepared_copy(submission: Submission) -> nbformat.NotebookNode:
    """The submission's notebook, each cell stamped with its position, plus the grader's final cell."""
    notebook = copy.deepcopy(submission.notebook)
    for number, cell in enumerate(notebook.cells, start=1):
        cell.metadata[CELL_NUMBER_KEY] = number
    final = nbformat.v4.new_code_cell(
        "from mlops_kit.grading.notebook import run_unrecorded\n"
        f"run_unrecorded({submission.lab!r})",
        metadata={"tags": [GRADER_TAG]},
    )
    notebook.cells.append(final)
    return notebook


def prepare_lab_folder(submission: Submission, scratch: Path) -> None:
    """Lay out the lab's support folder in `scratch`: the kit's copy, with the learner's hand-in
    files over it. Nothing is read from the folder the submission lies in."""
    hand_in = lab_hand_in(submission.lab)
    if hand_in is None:
        return
    shutil.copytree(kit_lab_folder(hand_in), scratch / hand_in.folder,
                    ignore=shutil.ignore_patterns("__pycache__", ".*"))
    for name, content in submission.files.items():
        target = scratch / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


@contextmanager
def grading_environment(results: Path):
    """Tell the kernel (it inherits our environment) where to record results, and that it is being graded.

    Native thread pools get `NATIVE_THREADS` unless the instructor set them. Each submission
    also gets a local backend of its own, stopped afterwards: no submission sees another's
    jobs, endpoints or experiments, nor the grader's server.
    """
    native = {name: value for name, value in NATIVE_THREADS.items() if name not in os.environ}
    with environment_set({RESULTS_ENV: str(results), GRADING_ENV: "1", **native}), \
            own_local_backend(results.parent / "local-backend"):
        yield


def is_grader_cell(cell: nbformat.NotebookNode | None) -> bool:
    return cell is not None and GRADER_TAG in cell.metadata.get("tags", [])


def describe(cell: nbformat.NotebookNode | None) -> str:
    if cell is None:
        return "kernel start-up"
    if is_grader_cell(cell):
        return "the grader's final checks"
    number = cell.metadata.get(CELL_NUMBER_KEY)
    where = f"cell {number}" if number else "the injected parameters cell"
    first_line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return f"{where} (`{first_line[:60]}`)" if first_line else where


def cell_errors(notebook: nbformat.NotebookNode) -> list[str]:
    """One line per cell that raised, e.g. "cell 2 (`1/0`) raised ZeroDivisionError: division by zero"."""
    errors = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type == "error":
                errors.append(f"{describe(cell)} raised {output.ename}: {output.evalue}")
    return errors
