"""Benchmark: grading a class: 30 copies of a lab's solution submission (made by the kit's
submit step, in a folder outside the repository) graded with `mlops-kit grade`.

Figures: the gradebook's rows, full-mark count, total wall time and seconds per
submission, for one and for two submissions at a time (--jobs). Goal: a class of 30 in
<= 10 minutes on 2 cores, no Docker.

Run: .venv/bin/python benchmarks/grade_class.py [--lab lab2] [--count 30] [--jobs 1 2]
"""

import argparse
import csv
import logging
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from mlops_kit.grading.command import grade
from mlops_kit.grading.handin import write_submission
from mlops_kit.project import solution_notebooks

ROOT = Path(__file__).resolve().parents[1]


def class_folder(lab: str, count: int, folder: Path) -> Path:
    """`count` learners' submissions of `lab`: the solution's, as each learner would hand it in."""
    notebook = next(path for path in solution_notebooks(ROOT)
                    if nbformat.read(path, as_version=4).metadata["workshop"]["lab"] == lab)
    made, _ = write_submission(notebook, lab, folder / "made.zip")
    submissions = folder / "submissions"
    submissions.mkdir()
    for number in range(1, count + 1):
        shutil.copy2(made, submissions / f"learner{number:02d}-{lab}.zip")
    return submissions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="lab2")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    for jobs in args.jobs:
        with tempfile.TemporaryDirectory(prefix="mlops-kit-class-") as folder:
            submissions = class_folder(args.lab, args.count, Path(folder))
            started = time.monotonic()
            reports = grade([submissions], Path(folder) / "gradebook", workers=jobs)
            seconds = time.monotonic() - started
            with open(Path(folder) / "gradebook" / "gradebook.csv", newline="") as file:
                rows = list(csv.DictReader(file))
        full = sum(report.status == "passed" for report in reports)
        print(f"{args.lab}, {args.count} submissions, --jobs {jobs}: gradebook rows {len(rows)}, full marks {full}, "
              f"{seconds:.0f} s in all ({seconds / 60:.1f} min), {seconds / args.count:.1f} s per submission")


if __name__ == "__main__":
    main()
