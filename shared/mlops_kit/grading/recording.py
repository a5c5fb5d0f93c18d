"""Where check results are written: one JSON object per line, appended.

The grader names the file in `MLOPS_KIT_RESULTS` (in its scratch directory); in a
learner's own session results go to `.workshop/results/<lab>.jsonl` under the
current directory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from mlops_kit.grading.results import CheckResult

RESULTS_ENV = "MLOPS_KIT_RESULTS"


def results_path(lab: str) -> Path:
    configured = os.environ.get(RESULTS_ENV)
    return Path(configured) if configured else Path(".workshop", "results", f"{lab}.jsonl")


def record(results: list[CheckResult]) -> None:
    """Append `results`, grouped per lab file."""
    for result in results:
        path = results_path(result.lab)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(result.to_dict()) + "\n")


def read_results(path: Path) -> list[CheckResult]:
    """Every result recorded in `path`, oldest first; a missing file has none."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [CheckResult.from_dict(json.loads(line)) for line in lines if line.strip()]


def latest_results(path: Path) -> dict[str, CheckResult]:
    """The last recorded result of each check id (a re-run check cell replaces the earlier result)."""
    return {result.check: result for result in read_results(path)}
