"""The ``sagemaker-model-monitor-analyzer`` container's two jobs, without a container.

- Baseline (``suggest_baseline``): a processing job on the analyzer image. The processing
  extension stages its inputs and calls ``run_container`` (registered for the image in
  ``jobs.images``), which reads the Environment the SDK sets (``dataset_source``,
  ``dataset_format``, ``output_path``, ``categorical_drift_method``) and writes
  statistics.json and constraints.json to ``output_path``.
- Monitoring (a scheduled execution): ``analyse_window`` profiles the captured rows and
  checks them against the baseline; ``schedules``/the extension write the report.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...jobs.container_paths import to_local
from ...jobs.failure import JobFailed
from .constraints import CATEGORICAL_DRIFT_METHODS, constraints_json
from .datasets import DatasetError, read_csv_dataset
from .inference import STRING, value_type
from .statistics import profile_columns, statistics_json
from .violations import check

IMAGE_REPOSITORY = "sagemaker-model-monitor-analyzer"
STATISTICS = "statistics.json"
CONSTRAINTS = "constraints.json"
VIOLATIONS = "constraint_violations.json"
NO_VIOLATIONS = "Completed: Job completed successfully with no violations."


def with_violations(count: int) -> str:
    return f"CompletedWithViolations: Job completed successfully with {count} violations."


def _dump(document: dict) -> str:
    return json.dumps(document, indent=2)


def _environment_json(environment: dict, name: str) -> dict:
    try:
        value = json.loads(environment[name])
    except KeyError as error:
        raise JobFailed(f"ClientError: Environment variable {name} is not set: run the baseline with "
                        "DefaultModelMonitor.suggest_baseline, which sets it.") from error
    except ValueError as error:
        raise JobFailed(f"ClientError: Environment variable {name} is not JSON: {environment[name]!r}.") from error
    if not isinstance(value, dict):
        raise JobFailed(f"ClientError: Environment variable {name} must be a JSON object, not {environment[name]!r}.")
    return value


def run_container(environment: dict, local_root: Path, log: Callable[[str], None]) -> str:
    """The analyzer's baseline run in a processing job; returns the job's ExitMessage."""
    for script in ("record_preprocessor_script", "post_analytics_processor_script"):
        if environment.get(script):
            raise JobFailed(f"ClientError: {script} is not supported by the local backend's analyzer: leave it out "
                            "(or run the same suggest_baseline on AWS).")
    dataset_format = _environment_json(environment, "dataset_format")
    if "csv" not in dataset_format:
        raise JobFailed(f"ClientError: dataset_format {json.dumps(dataset_format)}: the local backend's analyzer "
                        "reads CSV baselines: use DatasetFormat.csv(header=True).")
    header = bool((dataset_format.get("csv") or {}).get("header", False))
    drift_method = environment.get("categorical_drift_method")
    if drift_method and drift_method not in CATEGORICAL_DRIFT_METHODS:
        raise JobFailed(f"ClientError: categorical_drift_method {drift_method!r} is not one of "
                        f"{', '.join(CATEGORICAL_DRIFT_METHODS)}.")
    source = environment.get("dataset_source", "/opt/ml/processing/input/baseline_dataset_input")
    output = Path(to_local(environment.get("output_path", "/opt/ml/processing/output"), str(local_root)))
    try:
        table = read_csv_dataset(Path(to_local(source, str(local_root))), header)
    except DatasetError as error:
        raise JobFailed(f"ClientError: {error}") from error
    if not table.rows:
        raise JobFailed("ClientError: Job inputs had no data: the baseline dataset has no rows (only a header?).")
    log(f"Local analyzer: profiling {len(table.rows)} rows x {len(table.names)} columns of the baseline dataset")
    _warn_about_header(table, header, log)
    profiles = profile_columns(table.names, table.rows)
    output.mkdir(parents=True, exist_ok=True)
    (output / STATISTICS).write_text(_dump(statistics_json(profiles, len(table.rows))))
    (output / CONSTRAINTS).write_text(_dump(constraints_json(profiles, drift_method)))
    log(NO_VIOLATIONS)
    return NO_VIOLATIONS


def _warn_about_header(table, header: bool, log: Callable[[str], None]) -> None:
    """The two header mistakes that still give a baseline, but a wrong one."""
    if header and table.names and all(value_type(name) not in (None, STRING) for name in table.names):
        log("Warning: the header row holds only numbers, so it was probably data: with header=True the first line "
            "names the columns. Use DatasetFormat.csv(header=False) for a file without a header.")
    if not header and len(table.rows) > 1 and all(value_type(value) == STRING for value in table.rows[0]) \
            and any(value_type(value) not in (None, STRING) for value in table.rows[1]):
        log("Warning: the first row holds only text above numeric rows, so it is probably a header, and every column "
            "was inferred as String. Use DatasetFormat.csv(header=True).")


@dataclass
class WindowReport:
    statistics: dict
    violations: list[dict]
    drift: dict[str, float]
    profiles: list

    @property
    def exit_message(self) -> str:
        return with_violations(len(self.violations)) if self.violations else NO_VIOLATIONS


def column_names(baseline_statistics: dict | None, width: int) -> list[str]:
    """Captured CSV columns are named by position after the baseline's features (extra ones ``_cN``)."""
    known = [feature["name"] for feature in (baseline_statistics or {}).get("features", [])]
    return [known[index] if index < len(known) else f"_c{index}" for index in range(width)]


def analyse_window(rows: list[list[str | None]], baseline_statistics: dict | None,
                   baseline_constraints: dict | None) -> WindowReport:
    """Statistics of the captured rows and, with a baseline, their violations."""
    width = max(len(row) for row in rows)
    profiles = profile_columns(column_names(baseline_statistics, width), rows)
    statistics = statistics_json(profiles, len(rows))
    if not baseline_constraints:
        return WindowReport(statistics, [], {}, profiles)
    result = check(baseline_statistics or {}, baseline_constraints, profiles)
    return WindowReport(statistics, result.violations, result.drift, profiles)
