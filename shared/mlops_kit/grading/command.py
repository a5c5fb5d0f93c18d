"""`mlops-kit grade`: grade submissions, or folders of them, on the local backend.

A submission is the zip `mlops-kit submit` writes (the notebook, the lab's edited files
and a manifest of checksums) or, for a lab whose work is only its notebook, the bare
.ipynb. It is graded from a scratch folder: the lab's support folder comes from the
kit, with the submission's hand-in files over it, never from where the submission lies.
Each notebook is copied to a scratch directory and run there with papermill (the
submission itself is never written), under a time limit per notebook; a failed
exercise does not stop later ones, and checks whose cells were deleted run at the
end. Results: a console table, a JSON report per submission and `gradebook.csv`,
both in --out, plus each executed notebook in --out/executed/.

Exit status:
  0  every submission was graded and scored full marks
  1  every submission was graded, and at least one check failed (a notebook
     stopped by the time limit or a dead kernel is graded: what did not run
     scores zero, and its report names the cell)
  2  at least one submission could not be graded (missing, not a notebook,
     corrupted, no lab metadata, kernel failure); all others are still graded
"""

from __future__ import annotations

import argparse
import concurrent.futures
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from mlops_kit.grading.grader import DEFAULT_TIME_LIMIT, SubmissionReport, grade_submission
from mlops_kit.grading.gradebook import console_table, report_names, write_gradebook, write_json_reports

EXIT_FULL_MARKS, EXIT_CHECKS_FAILED, EXIT_UNGRADABLE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="mlops-kit grade", description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("Exit status"):], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    result.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="a submission (the .zip `submit` writes, or a bare .ipynb), or a folder of them")
    result.add_argument("--out", type=Path, default=Path("gradebook"),
                        help="folder for the JSON reports, gradebook.csv and executed notebooks (default: ./gradebook)")
    result.add_argument("--timeout", type=float, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                        help="time limit for each notebook's cells, in seconds; the rest of the notebook "
                             f"scores zero when it runs out (default: {DEFAULT_TIME_LIMIT})")
    result.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="grade N submissions at a time, each in its own process (default: 1)")
    return result


def submissions(paths: list[Path]) -> list[Path]:
    """The submissions to grade: files as given (so a wrong file gets its own message), folders
    expanded to their zips and notebooks."""
    found = []
    for path in paths:
        found.extend(sorted([*path.glob("*.zip"), *path.glob("*.ipynb")]) or [path] if path.is_dir() else [path])
    return found


def grade(paths: list[Path], out: Path, time_limit: float = DEFAULT_TIME_LIMIT,
          progress: Callable[[str], None] = lambda line: None, workers: int = 1) -> list[SubmissionReport]:
    """Grade every submission under `paths` and write the JSON reports and gradebook into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    notebooks = submissions(paths)
    names = report_names(notebooks)
    jobs = [(path, time_limit, out / "executed" / f"{name}.ipynb") for path, name in zip(notebooks, names, strict=True)]
    if workers > 1:  # each submission already runs in its own kernel and backend: processes keep them apart
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            futures = [pool.submit(grade_submission, *job) for job in jobs]
            for number, future in enumerate(concurrent.futures.as_completed(futures), start=1):
                progress(f"[{number}/{len(jobs)}] graded {future.result().submission}")
            reports = [future.result() for future in futures]
    else:
        reports = []
        for number, job in enumerate(jobs, start=1):
            progress(f"[{number}/{len(jobs)}] grading {job[0]}")
            reports.append(grade_submission(*job))
    write_json_reports(reports, names, out)
    write_gradebook(reports, out)
    return reports


def exit_status(reports: list[SubmissionReport]) -> int:
    if any(report.status == "error" for report in reports):
        return EXIT_UNGRADABLE
    return EXIT_CHECKS_FAILED if any(report.status == "failed" for report in reports) else EXIT_FULL_MARKS


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.getLogger("papermill").setLevel(logging.CRITICAL)  # what goes wrong is in the reports, said better
    reports = grade(args.paths, args.out, args.timeout, progress=lambda line: print(line, file=sys.stderr),
                    workers=max(args.jobs, 1))
    print(console_table(reports))
    print(f"\nReports and gradebook.csv in {args.out}")
    return exit_status(reports)


if __name__ == "__main__":
    sys.exit(main())
