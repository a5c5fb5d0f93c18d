"""Benchmark: each lab's solution notebook alone, on a fresh local backend, as a learner runs it.

Run: .venv/bin/python benchmarks/labs.py [lab0-getting-started lab3-cicd ...]
Copies solutions/ to a scratch folder (the solutions themselves are never modified),
executes each notebook there with papermill (a real kernel and its own local server, as
`./workshop run` does) and prints its wall time, kernel start to the hand-in cell, and
the checks it passed. Goal: every lab within 90 s on two cores.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import papermill

from mlops_kit.grading.execution import KERNEL_CONFIG
from mlops_kit.local.isolation import own_local_backend
from mlops_kit.workshop_run import RESULTS_ENV, latest_results

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 90


def run(solutions: Path, name: str, scratch: Path) -> tuple[float, str]:
    results = scratch / f"{name}-results.jsonl"
    os.environ[RESULTS_ENV] = str(results)
    started = time.perf_counter()
    try:
        with own_local_backend(scratch / f"{name}-backend"):
            papermill.execute_notebook(str(solutions / f"{name}.ipynb"), str(scratch / f"{name}-executed.ipynb"),
                                       cwd=str(solutions), kernel_name="python3", progress_bar=False,
                                       config=KERNEL_CONFIG)
        outcome = ""
    except Exception as error:  # noqa: BLE001 - a benchmark reports a failed lab and goes on
        outcome = f"FAILED: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    finally:
        os.environ.pop(RESULTS_ENV, None)
    seconds = time.perf_counter() - started
    checks = latest_results(results)
    passed = sum(1 for result in checks.values() if result.status == "passed")
    return seconds, outcome or f"{passed}/{len(checks)} checks passed"


def main(names: list[str]) -> None:
    names = names or sorted(path.stem for path in (ROOT / "solutions").glob("lab*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="labs-benchmark-") as folder:
        scratch = Path(folder)
        solutions = scratch / "solutions"
        shutil.copytree(ROOT / "solutions", solutions, ignore=shutil.ignore_patterns("data", "*-submission.zip"))
        print(f"Each lab's solution alone on a fresh local backend (goal <= {GOAL_SECONDS} s):")
        for name in names:
            seconds, outcome = run(solutions, name, scratch)
            print(f"  {name:24s} {seconds:6.1f} s   {outcome}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
