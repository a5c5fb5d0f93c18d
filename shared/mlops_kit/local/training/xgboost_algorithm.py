"""The SageMaker built-in XGBoost algorithm, as its container trains, without the container.

Pure: no AWS, no server. Hyperparameters arrive as the strings of CreateTrainingJob and are
parsed and validated with the container's rules and messages ("Missing required
hyperparameter: num_round", "Hyperparameter eta: 1.5 is not in [0, 1]"); channels are read
as the container reads them (CSV: label in the first column, no header; LIBSVM); the
per-round evaluation lines are the ones the container prints, so metric regexes and the
SDK's log streaming see what they see on AWS.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb


class ClientError(Exception):
    """A mistake the learner can fix; its text becomes the job's FailureReason."""

    def __str__(self) -> str:
        return f"ClientError: {self.args[0]}"


# --- hyperparameters ---------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A numeric range written as the container writes it: [0, 1], (0, 1], [1, +inf)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def __contains__(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return False
        return True

    def __str__(self) -> str:
        low = "(-inf" if self.low is None else f"{'(' if self.low_open else '['}{self.low:g}"
        high = "+inf)" if self.high is None else f"{self.high:g}{')' if self.high_open else ']'}"
        return f"{low}, {high}"


AT_LEAST_0 = Interval(low=0)
AT_LEAST_1 = Interval(low=1)
ZERO_TO_ONE = Interval(low=0, high=1)
FRACTION = Interval(low=0, high=1, low_open=True)


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: how its string is parsed and which values it accepts."""

    kind: str  # "int", "float", "choice", "list" (comma-separated) or "text"
    accepted: Interval | tuple[str, ...] | None = None

    def parse(self, name: str, raw: str):
        try:
            if self.kind == "int":
                value = int(raw)
            elif self.kind == "float":
                value = float(raw)
            elif self.kind == "list":
                value = [item.strip() for item in raw.split(",") if item.strip()]
            else:
                value = raw
        except ValueError as error:
            noun = "an integer" if self.kind == "int" else "a number"
            raise ClientError(
                f"Hyperparameter {name}: could not parse value {raw!r} as {noun} "
                f"(caused by ValueError). Accepted values: {self.accepted}."
            ) from error
        self._check_range(name, value)
        return value

    def _check_range(self, name: str, value) -> None:
        if self.accepted is None:
            return
        if isinstance(self.accepted, Interval):
            if isinstance(value, float) and math.isnan(value) or value not in self.accepted:
                raise ClientError(f"Hyperparameter {name}: {value} is not in {self.accepted}")
            return
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item not in self.accepted and not _is_threshold_metric(name, item):
                raise ClientError(
                    f"Hyperparameter {name}: value {item} not in range "
                    f"[{', '.join(self.accepted)}]"
                )


def _is_threshold_metric(name: str, item: str) -> bool:
    """`error@0.7`, `ndcg@5`, `map@3`: metrics with a threshold, as the container allows."""
    if name != "eval_metric" or "@" not in item:
        return False
    metric, _, threshold = item.partition("@")
    try:
        float(threshold.rstrip("-"))
    except ValueError:
        return False
    return metric in ("error", "ndcg", "map")


OBJECTIVES = (
    "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
    "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map",
    "reg:linear", "reg:squarederror", "reg:logistic", "reg:gamma", "reg:pseudohubererror",
    "reg:squaredlogerror", "reg:absoluteerror", "reg:tweedie", "survival:aft", "survival:cox",
)
EVAL_METRICS = (
    "auc", "aucpr", "map", "ndcg", "error", "logloss", "mae", "mape", "merror", "mlogloss",
    "rmse", "rmsle", "mphe", "poisson-nloglik", "gamma-nloglik", "gamma-deviance",
    "tweedie-nloglik", "cox-nloglik", "aft-nloglik",
)

HYPERPARAMETERS: dict[str, Hyperparameter] = {
    "num_round": Hyperparameter("int", AT_LEAST_1),
    "early_stopping_rounds": Hyperparameter("int", AT_LEAST_1),
    "csv_weights": Hyperparameter("int", ZERO_TO_ONE),
    "booster": Hyperparameter("choice", ("gbtree", "gblinear", "dart")),
    "verbosity": Hyperparameter("int", Interval(low=0, high=3)),
    "nthread": Hyperparameter("int", AT_LEAST_1),
    "eta": Hyperparameter("float", ZERO_TO_ONE),
    "gamma": Hyperparameter("float", AT_LEAST_0),
    "max_depth": Hyperparameter("int", AT_LEAST_0),
    "min_child_weight": Hyperparameter("float", AT_LEAST_0),
    "max_delta_step": Hyperparameter("float", AT_LEAST_0),
    "subsample": Hyperparameter("float", FRACTION),
    "colsample_bytree": Hyperparameter("float", FRACTION),
    "colsample_bylevel": Hyperparameter("float", FRACTION),
    "colsample_bynode": Hyperparameter("float", FRACTION),
    "lambda": Hyperparameter("float", AT_LEAST_0),
    "alpha": Hyperparameter("float", AT_LEAST_0),
    "tree_method": Hyperparameter("choice", ("auto", "exact", "approx", "hist", "gpu_hist")),
    "sketch_eps": Hyperparameter("float", Interval(low=0, high=1, low_open=True, high_open=True)),
    "scale_pos_weight": Hyperparameter("float", Interval(low=0, low_open=True)),
    "grow_policy": Hyperparameter("choice", ("depthwise", "lossguide")),
    "max_leaves": Hyperparameter("int", AT_LEAST_0),
    "max_bin": Hyperparameter("int", AT_LEAST_0),
    "sample_type": Hyperparameter("choice", ("uniform", "weighted")),
    "normalize_type": Hyperparameter("choice", ("tree", "forest")),
    "rate_drop": Hyperparameter("float", ZERO_TO_ONE),
    "one_drop": Hyperparameter("int", ZERO_TO_ONE),
    "skip_drop": Hyperparameter("float", ZERO_TO_ONE),
    "tweedie_variance_power": Hyperparameter("float", Interval(low=1, high=2, low_open=True, high_open=True)),
    "objective": Hyperparameter("choice", OBJECTIVES),
    "num_class": Hyperparameter("int", Interval(low=2)),
    "base_score": Hyperparameter("float", AT_LEAST_0),
    "eval_metric": Hyperparameter("list", EVAL_METRICS),
    "seed": Hyperparameter("int", Interval(low=-(2**31), high=2**31 - 1, low_open=True, high_open=True)),
    "num_parallel_tree": Hyperparameter("int", AT_LEAST_1),
    "save_model_on_termination": Hyperparameter("choice", ("true", "false")),
    "aft_loss_distribution": Hyperparameter("choice", ("normal", "logistic", "extreme")),
    "aft_loss_distribution_scale": Hyperparameter("float", Interval(low=0, low_open=True)),
    "monotone_constraints": Hyperparameter("text"),
    "interaction_constraints": Hyperparameter("text"),
    "updater": Hyperparameter("text"),
    "process_type": Hyperparameter("choice", ("default", "update")),
    "refresh_leaf": Hyperparameter("int", ZERO_TO_ONE),
    "_tuning_objective_metric": Hyperparameter("text"),
}
REQUIRED = ("num_round",)
# Read by the algorithm itself, never handed to xgboost.train as booster parameters.
ALGORITHM_ONLY = ("num_round", "early_stopping_rounds", "csv_weights", "save_model_on_termination",
                  "_tuning_objective_metric")


@dataclass(frozen=True)
class TrainingConfig:
    """Validated hyperparameters: booster params for xgboost.train plus the algorithm's own."""

    params: dict
    num_round: int
    early_stopping_rounds: int | None = None
    eval_metrics: tuple[str, ...] = ()


def parse_hyperparameters(raw: Mapping[str, str]) -> TrainingConfig:
    """Validate CreateTrainingJob's string hyperparameters as the container does."""
    for name in REQUIRED:
        if name not in raw:
            raise ClientError(
                f"Missing required hyperparameter: {name} (the number of boosting rounds, "
                "an integer >= 1, e.g. hyperparameters={'num_round': 100})"
            )
    values = {}
    for name, text in raw.items():
        if name not in HYPERPARAMETERS:
            raise ClientError(
                f"Extraneous hyperparameter found: {name}. The built-in XGBoost algorithm "
                f"accepts: {', '.join(sorted(HYPERPARAMETERS))}"
            )
        values[name] = HYPERPARAMETERS[name].parse(name, str(text))
    _check_dependencies(values)
    metrics = tuple(values.get("eval_metric", ()))
    params = {name: value for name, value in values.items() if name not in ALGORITHM_ONLY}
    if metrics:
        params["eval_metric"] = list(metrics)
    return TrainingConfig(params=params, num_round=values["num_round"],
                          early_stopping_rounds=values.get("early_stopping_rounds"),
                          eval_metrics=metrics)


def _check_dependencies(values: dict) -> None:
    objective = values.get("objective", "reg:squarederror")
    if objective in ("multi:softmax", "multi:softprob") and "num_class" not in values:
        raise ClientError("Require input for parameter 'num_class' for multi-classification")
    if "num_class" in values and not objective.startswith("multi:"):
        raise ClientError("Do not need to setup parameter 'num_class' for learning task other "
                          "than multi-classification.")
    metrics = values.get("eval_metric", [])
    if "auc" in metrics and not objective.startswith(("binary:", "rank:")):
        raise ClientError("Metric 'auc' can only be applied for classification and ranking "
                          f"problems (objective is {objective}).")


# --- channels ----------------------------------------------------------------------------

CSV = "csv"
LIBSVM = "libsvm"
_CONTENT_TYPES = {"csv": CSV, "text/csv": CSV, "libsvm": LIBSVM, "text/libsvm": LIBSVM,
                  "text/x-libsvm": LIBSVM}


def data_format(content_type: str | None) -> str:
    """The container's file format for a channel ContentType (LIBSVM when none is given)."""
    if not content_type:
        return LIBSVM
    base = content_type.split(";")[0].strip().lower()
    if base not in _CONTENT_TYPES:
        raise ClientError(
            f"{content_type} is not an accepted ContentType. Use 'text/csv' (label first, no "
            "header) or 'text/libsvm'."
        )
    return _CONTENT_TYPES[base]


def data_files(directory: Path) -> list[Path]:
    """Every non-hidden file under a channel directory, in a stable order."""
    return sorted(path for path in directory.rglob("*")
                  if path.is_file() and not path.name.startswith("."))


def read_channel(channel: str, directory: Path, fmt: str, csv_weights: bool = False) -> xgb.DMatrix:
    """One DMatrix from every file of a channel, as the container loads it."""
    files = data_files(directory)
    if not files:
        raise ClientError(f"No data in {channel} channel path {directory.name}: the S3 prefix "
                          "holds no files.")
    return _read_csv(channel, files, csv_weights) if fmt == CSV else _read_libsvm(channel, files)


def _read_csv(channel: str, files: list[Path], csv_weights: bool) -> xgb.DMatrix:
    frames = []
    for path in files:
        if path.stat().st_size == 0:
            continue  # an empty part file (as Spark or a split may leave) holds no rows
        frame = pd.read_csv(path, header=None)
        non_numeric = [column for column, dtype in frame.dtypes.items()
                       if not pd.api.types.is_numeric_dtype(dtype)]
        if non_numeric:
            column = non_numeric[0]
            row = int(pd.to_numeric(frame[column], errors="coerce").isna().to_numpy().argmax())
            raise ClientError(
                f"Non-numeric value {frame.iat[row, column]!r} in {channel} channel file "
                f"{path.name}, row {row + 1}, column {column + 1}. The built-in XGBoost reads "
                "CSV without a header and with the label in the first column: write it with "
                "to_csv(path, header=False, index=False) and encode categories as numbers."
            )
        if frames and frame.shape[1] != frames[0].shape[1]:
            raise ClientError(
                f"{channel} channel file {path.name} has {frame.shape[1]} columns but the "
                f"files before it have {frames[0].shape[1]}: every file of a channel needs the "
                "same columns."
            )
        frames.append(frame)
    if not frames:
        raise ClientError(f"No data in {channel} channel: its files are all empty.")
    data = pd.concat(frames, ignore_index=True).to_numpy(dtype=np.float32)
    first_feature = 2 if csv_weights else 1
    weights = data[:, 1] if csv_weights else None
    return xgb.DMatrix(data[:, first_feature:], label=data[:, 0], weight=weights)


def _read_libsvm(channel: str, files: list[Path]) -> xgb.DMatrix:
    from sklearn.datasets import load_svmlight_files

    try:
        loaded = load_svmlight_files([str(path) for path in files], zero_based=True)
    except ValueError as error:
        raise ClientError(
            f"Could not read the {channel} channel as LIBSVM ({error}). If the files are CSV "
            "(label first, no header), set the channel's content type to 'text/csv'."
        ) from error
    features = [loaded[index] for index in range(0, len(loaded), 2)]
    labels = [loaded[index] for index in range(1, len(loaded), 2)]
    from scipy.sparse import vstack

    return xgb.DMatrix(vstack(features).tocsr(), label=np.concatenate(labels))


# --- training ----------------------------------------------------------------------------


def metric_name(data_name: str, metric: str) -> str:
    """The name SageMaker reports in FinalMetricDataList: `validation:auc`."""
    return f"{data_name}:{metric}"


def evaluation_line(iteration: int, latest: Mapping[str, Mapping[str, float]]) -> str:
    """The container's per-round line as CloudWatch shows it (tabs appear as `#011`)."""
    parts = [f"[{iteration}]"]
    for data_name, metrics in latest.items():
        parts += [f"{data_name}-{metric}:{value:.5f}" for metric, value in metrics.items()]
    return "#011".join(parts)


class _LogEachRound(xgb.callback.TrainingCallback):
    def __init__(self, log: Callable[[str], None]):
        self.log = log

    def after_iteration(self, model, epoch, evals_log) -> bool:
        latest = {data: {metric: history[-1] for metric, history in metrics.items()}
                  for data, metrics in evals_log.items()}
        self.log(evaluation_line(epoch, latest))
        return False


@dataclass
class TrainingResult:
    booster: xgb.Booster
    final_metrics: dict[str, float] = field(default_factory=dict)


def train(config: TrainingConfig, train_data: xgb.DMatrix, validation_data: xgb.DMatrix | None,
          log: Callable[[str], None] = lambda line: None) -> TrainingResult:
    """Train as the container's train_job does: watch train (and validation), log each round."""
    if config.early_stopping_rounds and validation_data is None:
        raise ClientError("early_stopping_rounds needs a 'validation' channel: add one, or "
                          "remove early_stopping_rounds.")
    evals = [(train_data, "train")]
    if validation_data is not None:
        evals.append((validation_data, "validation"))
    log(f"Train matrix has {train_data.num_row()} rows and {train_data.num_col()} columns")
    if validation_data is not None:
        log(f"Validation matrix has {validation_data.num_row()} rows")
    history: dict = {}
    try:
        booster = xgb.train(dict(config.params), train_data, num_boost_round=config.num_round,
                            evals=evals, early_stopping_rounds=config.early_stopping_rounds,
                            evals_result=history, callbacks=[_LogEachRound(log)],
                            verbose_eval=False)
    except xgb.core.XGBoostError as error:
        raise ClientError(f"XGB train call failed with exception: {_first_line(error)}") from error
    final = {metric_name(data, metric): float(values[-1])
             for data, metrics in history.items() for metric, values in metrics.items()}
    return TrainingResult(booster=booster, final_metrics=final)


def _first_line(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip() and "Stack trace" not in line]
    return lines[0] if lines else type(error).__name__


MODEL_FILE = "xgboost-model"


def save_model(booster: xgb.Booster, model_dir: Path) -> Path:
    """Write `xgboost-model` in the format the container's save_model writes (UBJSON).

    Saved through save_raw so xgboost does not warn about the file's missing extension;
    Booster.load_model reads it back.
    """
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    path.write_bytes(bytes(booster.save_raw("ubj")))
    return path
