"""Processing script: score the trained model on the test part and write `evaluation.json`.

It runs in the XGBoost container (which has xgboost, scikit-learn and pandas). The
report uses the model registry's `binary_classification_metrics` shape, AUC first: the
pipeline's condition reads `binary_classification_metrics.auc.value`, and the registry
shows every metric of the file on the model package.
"""

import json
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score, roc_auc_score

BASE = Path("/opt/ml/processing")
THRESHOLD = 0.5


def metric(value: float) -> dict:
    """One metric as the registry shows it; a single test set gives no standard deviation."""
    return {"value": float(value), "standard_deviation": "NaN"}


def binary_classification_metrics(labels, scores) -> dict:
    """The evaluation report of default probabilities `scores` against true 0/1 `labels`."""
    labels, predictions = np.asarray(labels), (np.asarray(scores) >= THRESHOLD).astype(int)
    # TODO: return {"binary_classification_metrics": {"auc": metric(...), "accuracy": ..., "precision": ..., "recall": ..., "f1": ..., "confusion_matrix": {"0": {"0": n, "1": n}, "1": {...}}}} with AUC from the scores and the others from the predictions
    raise NotImplementedError("return {\"binary_classification_metrics\": {\"auc\": metric(...), \"accuracy\": ..., \"precision\": ..., \"recall\": ..., \"f1\": ..., \"confusion_matrix\": {\"0\": {\"0\": n, \"1\": n}, \"1\": {...}}}} with AUC from the scores and the others from the predictions")


def main() -> None:
    import xgboost  # only the evaluation container has it; the unit tests do not need it

    with tarfile.open(BASE / "model" / "model.tar.gz") as archive:
        archive.extractall(BASE / "model")
    booster = xgboost.Booster()
    booster.load_model(str(BASE / "model" / "xgboost-model"))
    test = pd.read_csv(BASE / "test" / "test.csv", header=None)
    scores = booster.predict(xgboost.DMatrix(test.iloc[:, 1:].to_numpy()))
    report = binary_classification_metrics(test.iloc[:, 0], scores)
    (BASE / "evaluation").mkdir(parents=True, exist_ok=True)
    (BASE / "evaluation" / "evaluation.json").write_text(json.dumps(report, indent=2))
    print(f"test AUC {report['binary_classification_metrics']['auc']['value']:.4f} on {len(test)} rows")


if __name__ == "__main__":
    main()
