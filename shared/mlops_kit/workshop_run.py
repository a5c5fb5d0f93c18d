"""`./workshop run`: execute every lab's solution on the local backend, then build the book.

Each solution runs with papermill in its own folder (so relative paths behave as in
Jupyter), on a fresh local backend of its own (labs stand alone; the learner's own
server is left alone). A notebook that succeeds replaces the committed one, so its outputs, the ones
the book shows, are refreshed; a notebook that fails is left untouched and its executed
copy is kept under `_build/failed/` for reading. Papermill's per-run timing metadata is
stripped so that a re-run with unchanged results leaves `git diff` quiet.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlops_kit.grading.execution import KERNEL_CONFIG
from mlops_kit.environment_variables import environment_set
from mlops_kit.grading.recording import RESULTS_ENV, latest_results
from mlops_kit.local.isolation import own_local_backend
from mlops_kit.project import repo_root, solution_notebooks


@dataclass
class LabRun:
    notebook: Path
    seconds: float
    passed: int
    checks: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.passed == self.checks and self.checks > 0


def strip_run_metadata(notebook: Path) -> None:
    """Drop papermill's timestamps and durations, and saved widget state, which change on every run."""
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, notebook)


def run_solution(notebook: Path, failed_dir: Path, timeout: int) -> LabRun:
    """Execute one solution; replace it on success, keep the executed copy aside on failure."""
    import papermill

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="workshop-run-") as scratch:
        executed = Path(scratch, notebook.name)
        results = Path(scratch, "results.jsonl")
        error = ""
        try:
            with environment_set({RESULTS_ENV: str(results)}), own_local_backend(Path(scratch, "local-backend")):
                papermill.execute_notebook(
                    str(notebook), str(executed), cwd=str(notebook.parent), kernel_name="python3",
                    execution_timeout=timeout, progress_bar=False, config=KERNEL_CONFIG,
                )
        except papermill.PapermillExecutionError as exc:
            error = f"cell {exc.cell_index}: {exc.ename}: {exc.evalue}"
        except Exception as exc:  # e.g. a kernel that died or a cell over the time limit
            error = f"{type(exc).__name__}: {exc}"
        recorded = latest_results(results)
        if error:
            failed_dir.mkdir(parents=True, exist_ok=True)
            if executed.exists():
                shutil.copy(executed, failed_dir / notebook.name)
        else:
            strip_run_metadata(executed)
            shutil.copy(executed, notebook)
    return LabRun(
        notebook=notebook,
        seconds=time.perf_counter() - started,
        passed=sum(result.passed for result in recorded.values()),
        checks=len(recorded),
        error=error,
    )


def chosen_notebooks(notebooks: list[Path], labs: list[str] | None) -> list[Path]:
    """The solutions of the labs asked for ("lab2"), all of them when none are; an unknown lab is an error."""
    if not labs:
        return notebooks
    by_lab = {notebook.stem.split("-", 1)[0]: notebook for notebook in notebooks}
    unknown = [lab for lab in labs if lab not in by_lab]
    if unknown:
        raise SystemExit(f"No solution for {', '.join(unknown)}: choose among {', '.join(sorted(by_lab))}.")
    return [by_lab[lab] for lab in labs]


def build_book(root: Path, output: Path | None = None) -> tuple[bool, Path]:
    """Strict (-W) Jupyter Book build into `output`/_build (default: the repository's); the log goes beside the site."""
    output = output or root
    log = output / "_build" / "book-build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    with log.open("w") as stream:
        status = subprocess.run([str(jupyter_book), "build", str(root), "-W", "--keep-going", "--path-output", str(output)],
                                stdout=stream, stderr=subprocess.STDOUT, cwd=root).returncode
    return status == 0, log


def print_summary(runs: list[LabRun]) -> None:
    print(f"\n{'lab':<28} {'checks passed':>14} {'seconds':>8}  result")
    for run in runs:
        verdict = "ok" if run.ok else (run.error or "some checks failed")
        print(f"{run.notebook.stem:<28} {f'{run.passed}/{run.checks}':>14} {run.seconds:>8.1f}  {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlops-kit run-workshop", description=__doc__.splitlines()[0])
    parser.add_argument("--cell-timeout", type=int, default=900, help="seconds one cell may run (default 900)")
    parser.add_argument("--no-book", action="store_true", help="skip the book build")
    parser.add_argument("--lab", action="append", metavar="LAB", help="run only this lab's solution (lab2); repeatable")
    args = parser.parse_args(argv)

    root = repo_root()
    notebooks = chosen_notebooks(solution_notebooks(root), args.lab)
    runs = []
    for notebook in notebooks:
        print(f"Running {notebook.relative_to(root)} ...", flush=True)
        runs.append(run_solution(notebook, root / "_build" / "failed", args.cell_timeout))
    print_summary(runs)

    book_ok = True
    if not args.no_book:
        print("\nBuilding the book ...", flush=True)
        book_ok, log = build_book(root)
        site = root / "_build" / "html" / "index.html"
        print(f"Book: {site}" if book_ok else f"The book build failed: read {log}")
    return 0 if book_ok and all(run.ok for run in runs) else 1
