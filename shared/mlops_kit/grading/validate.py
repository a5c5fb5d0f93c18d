"""Validation, as nbgrader's validate does: every solution scores full marks, every lab scores zero.

Labs are generated from solutions, so a solution that fails a check, or a generated
lab that passes one (the stub gives the answer away, or the check is too lax), is a
fault in the kit. Notebooks pair up by file name: `solutions/X.ipynb` with `labs/X.ipynb`.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from mlops_kit.grading.grader import DEFAULT_TIME_LIMIT, SubmissionReport, grade_submission
from mlops_kit.grading.handin import HandInError, write_submission
from mlops_kit.grading.submission import SubmissionError, notebook_lab


@dataclass
class ValidationReport:
    solutions: list[SubmissionReport] = field(default_factory=list)
    labs: list[SubmissionReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_labs(solutions_dir: Path, labs_dir: Path, time_limit: float = DEFAULT_TIME_LIMIT) -> ValidationReport:
    """Grade the submission of every solution and every lab notebook, as a learner's would be
    graded (made by the kit's submit step, graded from outside the repository), and list what is wrong."""
    with tempfile.TemporaryDirectory(prefix="mlops-kit-validate-") as scratch:
        solutions = [grade_as_handed_in(path, Path(scratch) / "solutions", time_limit)
                     for path in sorted(Path(solutions_dir).glob("*.ipynb"))]
        labs = [grade_as_handed_in(path, Path(scratch) / "labs", time_limit)
                for path in sorted(Path(labs_dir).glob("*.ipynb"))]
    return ValidationReport(solutions, labs, problems(solutions, labs))


def grade_as_handed_in(notebook: Path, folder: Path, time_limit: float = DEFAULT_TIME_LIMIT) -> SubmissionReport:
    """Write `notebook`'s submission into `folder` and grade it there; reported under the notebook's path."""
    try:
        lab = notebook_lab(notebook, nbformat.read(notebook, as_version=4))
        zipped, _ = write_submission(notebook, lab, folder / f"{notebook.stem}-submission.zip")
    except (SubmissionError, HandInError, OSError, ValueError) as error:
        return SubmissionReport(str(notebook), "error", message=str(error))
    report = grade_submission(zipped, time_limit)
    report.submission = str(notebook)
    return report


def problems(solutions: list[SubmissionReport], labs: list[SubmissionReport]) -> list[str]:
    """What is wrong with these graded solutions and labs, one specific sentence each."""
    found = []
    for report in solutions:
        if report.status == "error":
            found.append(f"solution {report.submission} could not be graded: {report.message}")
        for result in report.results:
            if not result.passed:
                found.append(f"solution {report.submission}: check {result.check} {result.status}: {result.message}")
    for report in labs:
        if report.status == "error":
            found.append(f"lab {report.submission} could not be graded: {report.message}")
        for result in report.results:
            if result.passed:
                found.append(f"lab {report.submission}: check {result.check} passes on the unsolved lab "
                             "(the stub gives the answer away, or the check is too lax)")
    solution_names = {Path(report.submission).name for report in solutions}
    lab_names = {Path(report.submission).name for report in labs}
    found.extend(f"solution {name} has no generated lab: regenerate labs/" for name in sorted(solution_names - lab_names))
    found.extend(f"lab {name} has no solution: labs/ is generated from solutions/" for name in sorted(lab_names - solution_names))
    if not solutions:
        found.append("no solution notebooks found")
    return found


def main(argv: list[str] | None = None) -> int:
    """`mlops-kit validate`: exit 0 when every solution scores full marks and every lab zero, else 1."""
    parser = argparse.ArgumentParser(prog="mlops-kit validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--solutions", type=Path, default=Path("solutions"), help="default: ./solutions")
    parser.add_argument("--labs", type=Path, default=Path("labs"), help="default: ./labs")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                        help=f"time limit per notebook (default: {DEFAULT_TIME_LIMIT})")
    args = parser.parse_args(argv)
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    report = validate_labs(args.solutions, args.labs, args.timeout)
    for graded in (*report.solutions, *report.labs):
        print(f"{graded.submission}: {graded.total:g}/{graded.possible:g} ({graded.status})")
    print("\n".join(["", *report.problems]) if report.problems else "\nvalid: every solution scores full marks, every lab zero")
    return 0 if report.ok else 1
