"""Benchmark: lab 4 (drift monitoring) end to end on a fresh local backend, and its drift figures.

Run: .venv/bin/python benchmarks/lab4_monitoring.py
Executes a copy of solutions/lab4-monitoring.ipynb with papermill (a real kernel, its own
local server, as `mlops-kit run-workshop` does) and prints the wall time, then, from a
cell appended to the copy, the drift distances CloudWatch holds for each simulated hour:
the scenario's feature against the threshold, and the largest distance on any other
feature (the false-alarm margin). The solution itself is never modified.
"""

import json
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from mlops_kit.grading.execution import KERNEL_CONFIG
from mlops_kit.local.isolation import own_local_backend

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "lab4-monitoring.ipynb"
MARKER = "LAB4-FIGURES "

FIGURES_CELL = '''
import json
from datetime import timedelta
from mlops_kit.data import FEATURES

def distances(execution):
    start = execution["ScheduledTime"]
    found = {}
    for feature in ["score", *FEATURES]:
        points = session.cloudwatch.get_metric_statistics(
            Namespace=metric_namespace, MetricName=f"feature_baseline_drift_{feature}", Dimensions=dimensions,
            StartTime=start, EndTime=start + timedelta(hours=1), Period=3600, Statistics=["Maximum"])["Datapoints"]
        found[feature] = max((p["Maximum"] for p in points), default=None)
    return found

hours = {"normal traffic": (None, normal_execution)}
hours |= {name: ({"LIMIT_BAL sign flip": "LIMIT_BAL", "SEX as floats": "SEX", "AGE + 23": "AGE"}[name], run)
          for name, run in scenario_executions.items()}
hours |= {f"gradual hour {g['hour']} (AGE + {g['years added']})": ("AGE", g["execution"]) for g in gradual}
figures = {}
for name, (feature, run) in hours.items():
    found = distances(run)
    others = {f: d for f, d in found.items() if f not in (feature, "score") and d is not None}
    worst = max(others, key=others.get)
    figures[name] = {"feature": feature, "distance": found.get(feature), "largest other": [worst, others[worst]],
                     "score": found["score"], "status": run["MonitoringExecutionStatus"]}
print("LAB4-FIGURES " + json.dumps({"threshold": drift_threshold, "records_per_hour": records_per_hour,
                                     "figures": figures}))
'''


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lab4-benchmark-") as scratch:
        notebook = nbformat.read(SOLUTION, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(FIGURES_CELL))
        copy, executed = Path(scratch, "lab4.ipynb"), Path(scratch, "executed.ipynb")
        nbformat.write(notebook, copy)
        started = time.perf_counter()
        with own_local_backend(Path(scratch, "local-backend")):
            papermill.execute_notebook(str(copy), str(executed), cwd=scratch, kernel_name="python3",
                                       progress_bar=False, config=KERNEL_CONFIG)
        seconds = time.perf_counter() - started
        outputs = nbformat.read(executed, as_version=4).cells[-1].outputs
    text = "".join(output.get("text", "") for output in outputs)
    report = json.loads(text[text.index(MARKER) + len(MARKER):])
    print(f"Lab 4 solution on a fresh local backend: {seconds:.1f} s (kernel start to clean-up, "
          f"{report['records_per_hour']} records per simulated hour)")
    print(f"Drift distances (Robust) from CloudWatch, threshold {report['threshold']}:")
    for name, figure in report["figures"].items():
        mine = "-" if figure["distance"] is None else f"{figure['distance']:.3f}"
        other, distance = figure["largest other"]
        print(f"  {name:32s} {str(figure['feature']):9s} {mine:>6s}   largest other feature: {other} "
              f"{distance:.3f}   score {figure['score']:.3f}   {figure['status']}")


if __name__ == "__main__":
    sys.exit(main())
