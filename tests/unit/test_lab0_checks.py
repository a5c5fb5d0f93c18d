"""Lab 0's checks pass the solution and catch each mistake with the message meant for it."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, roc_auc_score
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

from mlops_kit.data import LABEL, synthetic_credit_data
from mlops_kit.grading.checks import CheckContext
from mlops_kit.grading.registry import lab_checks

DEMO = dict(max_depth=5, learning_rate=0.2, gamma=4, min_child_weight=6, subsample=0.8,
            n_estimators=100, objective="binary:logistic")


def solve(df, **split_options):
    X, y = df.drop(columns=[LABEL]), df[LABEL]
    options = {"test_size": 0.2, "stratify": y, "random_state": 0, **split_options}
    X_train, X_test, y_train, y_test = train_test_split(X, y, **options)
    model = XGBClassifier(**DEMO, random_state=0).fit(X_train, y_train)
    probabilities = model.predict_proba(X_test)[:, 1]
    return {
        "df": df, "X_train": X_train, "X_test": X_test, "y_train": y_train, "y_test": y_test,
        "model": model, "test_probabilities": probabilities,
        "test_auc": roc_auc_score(y_test, probabilities),
        "confusion": confusion_matrix(y_test, (probabilities >= 0.5).astype(int)),
    }


@pytest.fixture(scope="module")
def df():
    # seed 4: an unstratified split with random_state=0 visibly shifts the default rate
    return synthetic_credit_data(n_rows=8_000, seed=4)


@pytest.fixture(scope="module")
def solved(df):
    return solve(df)


def results(namespace):
    ctx = CheckContext(namespace)
    return {check.name: check.run(ctx) for check in lab_checks("lab0")}


def failure(namespace, name):
    result = results(namespace)[name]
    assert result.status == "failed", f"{name} should fail, got {result.status}: {result.message}"
    return result


def test_the_solution_passes_every_check_including_the_hidden_one(solved):
    outcome = results(solved)
    assert {name: result.status for name, result in outcome.items()} == dict.fromkeys(outcome, "passed")
    assert any(check.hidden for check in lab_checks("lab0"))


def test_the_label_left_among_the_features_is_called_a_leak(df, solved):
    X_train, X_test = train_test_split(df, test_size=0.2, stratify=df[LABEL], random_state=0)
    result = failure({**solved, "X_train": X_train, "X_test": X_test}, "label_kept_out_of_features")
    assert "`X_train` still contains the `Label` column" in result.message


def test_an_unstratified_split_is_caught(df):
    result = failure(solve(df, stratify=None), "split_is_stratified")
    assert "not stratified" in result.message and "stratify=y" in result.hint


def test_a_test_share_other_than_20_percent_is_caught(df):
    result = failure(solve(df, test_size=0.3), "split_is_80_20")
    assert "30.0%" in result.message and "test_size=0.2" in result.hint


def test_auc_on_the_training_data_is_named_as_such(solved):
    model = solved["model"]
    train_auc = roc_auc_score(solved["y_train"], model.predict_proba(solved["X_train"])[:, 1])
    result = failure({**solved, "test_auc": train_auc}, "auc_from_test_probabilities")
    assert "training set" in result.message


def test_auc_from_predicted_classes_is_named_as_such(solved):
    classes_auc = roc_auc_score(solved["y_test"], solved["model"].predict(solved["X_test"]))
    result = failure({**solved, "test_auc": classes_auc}, "auc_from_test_probabilities")
    assert "predicted classes" in result.message and "predict_proba" in result.hint


def test_auc_from_the_wrong_column_is_named_as_such(solved):
    result = failure({**solved, "test_auc": 1 - solved["test_auc"]}, "auc_from_test_probabilities")
    assert "column 0" in result.message


def test_classes_passed_off_as_probabilities_are_caught(solved):
    classes = solved["model"].predict(solved["X_test"])
    result = failure({**solved, "test_probabilities": classes}, "probabilities_for_test_rows")
    assert "predicted classes" in result.message


def test_other_hyperparameters_are_listed(df, solved):
    model = XGBClassifier(max_depth=3, n_estimators=10).fit(solved["X_train"], solved["y_train"])
    result = failure({**solved, "model": model}, "model_uses_demo_hyperparameters")
    assert "max_depth=3" in result.message and "n_estimators=10" in result.message


def test_an_unfitted_model_is_caught(solved):
    result = failure({**solved, "model": XGBClassifier(**DEMO)}, "model_is_fitted_on_features")
    assert "not trained yet" in result.message


def test_a_transposed_confusion_matrix_is_caught(solved):
    result = failure({**solved, "confusion": solved["confusion"].T}, "confusion_matrix_on_test_set")
    assert "transposed" in result.message


def test_a_confusion_matrix_of_the_training_set_is_caught(solved):
    probabilities = solved["model"].predict_proba(solved["X_train"])[:, 1]
    train_confusion = confusion_matrix(solved["y_train"], (probabilities >= 0.5).astype(int))
    result = failure({**solved, "confusion": train_confusion}, "confusion_matrix_on_test_set")
    assert "the test set has" in result.message


def test_a_missing_variable_says_which_cell_to_run(solved):
    namespace = {key: value for key, value in solved.items() if key != "test_auc"}
    result = failure(namespace, "auc_from_test_probabilities")
    assert "`test_auc` is not defined yet" in result.message


def test_a_weak_model_fails_the_hidden_check(solved):
    assert failure({**solved, "test_auc": np.float64(0.62)}, "model_generalises").hidden
