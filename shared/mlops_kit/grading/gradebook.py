"""Writing grading reports: a console table, a JSON report per submission, a CSV gradebook."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from mlops_kit.grading.grader import SubmissionReport
from mlops_kit.grading.results import format_points

GRADEBOOK_FILE = "gradebook.csv"
FIXED_COLUMNS = ["submission", "lab", "status", "total", "possible", "percent"]
LABELS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}


def check_columns(reports: list[SubmissionReport]) -> list[str]:
    """Every check id seen, in lab order then the order each lab defines its checks."""
    ids = [result.check for report in sorted(reports, key=lambda r: r.lab) for result in report.results]
    return list(dict.fromkeys(ids))


def write_gradebook(reports: list[SubmissionReport], out: Path) -> Path:
    """One row per submission: the fixed columns, the points of each check, and the message."""
    path = out / GRADEBOOK_FILE
    columns = [*FIXED_COLUMNS, *check_columns(reports), "message"]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        for report in reports:
            row = {name: getattr(report, name) for name in FIXED_COLUMNS}
            row.update({result.check: format_points(result.points) for result in report.results})
            row["message"] = report.message or "; ".join(report.notes)
            row.update(total=format_points(report.total), possible=format_points(report.possible))
            writer.writerow(row)
    return path


def report_names(submissions: list[Path]) -> list[str]:
    """A file name (without suffix) per submission: its stem, then `stem-2`, ... for same-named ones."""
    names: list[str] = []
    for path in submissions:
        name, number = path.stem, 1
        while name in names:
            number += 1
            name = f"{path.stem}-{number}"
        names.append(name)
    return names


def write_json_reports(reports: list[SubmissionReport], names: list[str], out: Path) -> None:
    for report, name in zip(reports, names, strict=True):
        (out / f"{name}.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")


def console_table(reports: list[SubmissionReport]) -> str:
    """A line per submission (score and status), then a line per check, notes and errors."""
    width = max(len("submission"), *(len(Path(report.submission).name) for report in reports))
    lines = [f"{'submission':<{width}}  {'lab':<10} {'score':>9}  status"]
    for report in reports:
        score = f"{format_points(report.total)}/{format_points(report.possible)}" if report.lab and report.results else "-"
        lines.append(f"{Path(report.submission).name:<{width}}  {report.lab or '-':<10} {score:>9}  "
                     f"{LABELS[report.status]}")
        if report.message:
            lines.append(f"    {report.message}")
        for result in report.results:
            hidden = " (hidden)" if result.hidden else ""
            note = f" [{result.note}]" if result.note and result.note != "not run" else ""
            detail = "" if result.passed else f": {result.message}"
            lines.append(f"    {LABELS[result.status]:<5} {result.check}{hidden} "
                         f"{format_points(result.points)}/{format_points(result.possible)}{note}{detail}")
        lines.extend(f"    note: {note}" for note in report.notes)
    return "\n".join(lines)
