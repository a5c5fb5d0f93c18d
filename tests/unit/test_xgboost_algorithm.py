"""The built-in XGBoost algorithm without the container: hyperparameters, channels, training."""

import numpy as np
import pytest
import xgboost as xgb

from mlops_kit.local.training import xgboost_algorithm as algorithm
from mlops_kit.local.training.xgboost_algorithm import ClientError

DEMO = {"max_depth": "5", "eta": "0.2", "gamma": "4", "min_child_weight": "6",
        "subsample": "0.8", "objective": "binary:logistic", "num_round": "10"}


def separable(rows=300, seed=0):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, 4))
    label = (features[:, 0] + 0.3 * rng.normal(size=rows) > 0).astype(int)
    return label, features


def write_csv(path, label, features):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savetxt(path, np.column_stack([label, features]), delimiter=",", fmt="%.6g")


def test_demo_hyperparameters_become_typed_booster_params():
    config = algorithm.parse_hyperparameters({**DEMO, "eval_metric": "auc,logloss",
                                              "early_stopping_rounds": "3"})
    assert config.num_round == 10
    assert config.early_stopping_rounds == 3
    assert config.params == {"max_depth": 5, "eta": 0.2, "gamma": 4.0, "min_child_weight": 6.0,
                             "subsample": 0.8, "objective": "binary:logistic",
                             "eval_metric": ["auc", "logloss"]}


def test_missing_num_round_is_named():
    with pytest.raises(ClientError, match="Missing required hyperparameter: num_round"):
        algorithm.parse_hyperparameters({"max_depth": "5"})


@pytest.mark.parametrize("name, value, expected", [
    ("eta", "1.5", r"Hyperparameter eta: 1.5 is not in \[0, 1\]"),
    ("subsample", "0", r"Hyperparameter subsample: 0.0 is not in \(0, 1\]"),
    ("max_depth", "five", r"Hyperparameter max_depth: could not parse value 'five' as an integer"),
    ("objective", "binary:logistc", r"objective: value binary:logistc not in range \[.*binary:logistic"),
    ("eval_metric", "auc,accuracyy", r"eval_metric: value accuracyy not in range \[auc, aucpr"),
])
def test_bad_value_names_the_hyperparameter_and_accepted_values(name, value, expected):
    with pytest.raises(ClientError, match=expected) as raised:
        algorithm.parse_hyperparameters({**DEMO, name: value})
    assert str(raised.value).startswith("ClientError: ")


def test_unknown_hyperparameter_is_extraneous():
    with pytest.raises(ClientError, match="Extraneous hyperparameter found: learning_rate"):
        algorithm.parse_hyperparameters({**DEMO, "learning_rate": "0.1"})


def test_auc_needs_a_classification_objective():
    with pytest.raises(ClientError, match="Metric 'auc' can only be applied for classification"):
        algorithm.parse_hyperparameters({"num_round": "3", "objective": "reg:squarederror",
                                         "eval_metric": "auc"})


def test_threshold_metric_is_accepted():
    config = algorithm.parse_hyperparameters({**DEMO, "eval_metric": "error@0.7"})
    assert config.eval_metrics == ("error@0.7",)


@pytest.mark.parametrize("content_type, fmt", [
    (None, algorithm.LIBSVM), ("text/csv", algorithm.CSV), ("text/csv; label_size=1", algorithm.CSV),
    ("csv", algorithm.CSV), ("text/libsvm", algorithm.LIBSVM), ("text/x-libsvm", algorithm.LIBSVM),
])
def test_content_types(content_type, fmt):
    assert algorithm.data_format(content_type) == fmt


def test_unknown_content_type_says_which_to_use():
    with pytest.raises(ClientError, match="application/json is not an accepted ContentType.*text/csv"):
        algorithm.data_format("application/json")


def test_csv_channel_reads_every_file_label_first(tmp_path):
    label, features = separable(100)
    write_csv(tmp_path / "part-1.csv", label[:60], features[:60])
    write_csv(tmp_path / "sub" / "part-2.csv", label[60:], features[60:])
    matrix = algorithm.read_channel("train", tmp_path, algorithm.CSV)
    assert (matrix.num_row(), matrix.num_col()) == (100, 4)
    np.testing.assert_array_equal(matrix.get_label(), label)


def test_csv_with_header_is_rejected_with_the_fix(tmp_path):
    (tmp_path / "train.csv").write_text("default,LIMIT_BAL\n1,20000\n0,50000\n")
    with pytest.raises(ClientError, match=r"Non-numeric value 'default' in train channel file "
                                          r"train.csv, row 1, column 1.*header=False"):
        algorithm.read_channel("train", tmp_path, algorithm.CSV)


def test_csv_files_with_different_columns_are_rejected(tmp_path):
    (tmp_path / "a.csv").write_text("1,2,3\n")
    (tmp_path / "b.csv").write_text("1,2\n")
    with pytest.raises(ClientError, match="b.csv has 2 columns but the files before it have 3"):
        algorithm.read_channel("train", tmp_path, algorithm.CSV)


def test_empty_part_files_are_skipped(tmp_path):
    (tmp_path / "part-0.csv").write_text("")
    (tmp_path / "part-1.csv").write_text("1,2,3\n0,1,1\n")
    assert algorithm.read_channel("train", tmp_path, algorithm.CSV).num_row() == 2
    (tmp_path / "part-1.csv").write_text("")
    with pytest.raises(ClientError, match="No data in train channel: its files are all empty"):
        algorithm.read_channel("train", tmp_path, algorithm.CSV)


def test_libsvm_channel(tmp_path):
    (tmp_path / "train.libsvm").write_text("1 0:1.5 2:3\n0 1:2.0\n1 0:0.5 3:1\n")
    matrix = algorithm.read_channel("train", tmp_path, algorithm.LIBSVM)
    assert (matrix.num_row(), matrix.num_col()) == (3, 4)
    np.testing.assert_array_equal(matrix.get_label(), [1, 0, 1])


def test_csv_read_as_libsvm_suggests_text_csv(tmp_path):
    (tmp_path / "train.csv").write_text("1,2.5,3\n0,1.5,2\n")
    with pytest.raises(ClientError, match="set the channel's content type to 'text/csv'"):
        algorithm.read_channel("train", tmp_path, algorithm.LIBSVM)


def test_empty_channel_is_a_client_error(tmp_path):
    with pytest.raises(ClientError, match="No data in validation channel"):
        algorithm.read_channel("validation", tmp_path, algorithm.CSV)


def test_training_logs_each_round_and_reports_final_metrics(tmp_path):
    label, features = separable()
    train = xgb.DMatrix(features[:200], label=label[:200])
    validation = xgb.DMatrix(features[200:], label=label[200:])
    config = algorithm.parse_hyperparameters({**DEMO, "eval_metric": "auc,logloss"})
    lines = []
    result = algorithm.train(config, train, validation, lines.append)
    rounds = [line for line in lines if line.startswith("[")]
    assert len(rounds) == 10
    assert rounds[0].startswith("[0]#011train-auc:")
    assert "#011validation-logloss:" in rounds[-1]
    assert set(result.final_metrics) == {"train:auc", "train:logloss",
                                         "validation:auc", "validation:logloss"}
    assert result.final_metrics["validation:auc"] > 0.8
    assert f"validation-auc:{result.final_metrics['validation:auc']:.5f}" in rounds[-1]


def test_early_stopping_without_validation_is_a_client_error():
    label, features = separable()
    config = algorithm.parse_hyperparameters({**DEMO, "early_stopping_rounds": "2"})
    with pytest.raises(ClientError, match="early_stopping_rounds needs a 'validation' channel"):
        algorithm.train(config, xgb.DMatrix(features, label=label), None)


def test_labels_outside_the_objective_range_fail_as_client_error():
    _, features = separable()
    config = algorithm.parse_hyperparameters(DEMO)
    with pytest.raises(ClientError, match="XGB train call failed with exception"):
        algorithm.train(config, xgb.DMatrix(features, label=np.full(len(features), 3.0)), None)


@pytest.mark.filterwarnings("ignore:.*Unknown file format")  # the container's file has no extension
def test_saved_model_loads_with_booster_load_model(tmp_path):
    label, features = separable()
    train = xgb.DMatrix(features, label=label)
    result = algorithm.train(algorithm.parse_hyperparameters(DEMO), train, None)
    path = algorithm.save_model(result.booster, tmp_path / "model")
    assert path.name == "xgboost-model"
    loaded = xgb.Booster()
    loaded.load_model(str(path))
    np.testing.assert_allclose(loaded.predict(train), result.booster.predict(train), rtol=1e-6)
