"""Checks for lab 0 (getting started): the split, the first model, AUC and the confusion matrix.

Each failure message names the mistake learners really make at that step.
"""

import numpy as np
from sklearn.metrics import confusion_matrix, roc_auc_score

from mlops_kit.data import FEATURES, LABEL
from mlops_kit.grading import CheckFailed, graded

LAB = "lab0"
# Exercise -> the earlier exercises whose results it uses (see grading.grader).
BUILDS_ON = {"train": ("split",), "evaluate": ("train",), "confusion": ("evaluate",)}
TEST_SHARE = 0.2
DEMO_HYPERPARAMETERS = {
    "max_depth": 5,
    "learning_rate": 0.2,
    "gamma": 4,
    "min_child_weight": 6,
    "subsample": 0.8,
    "n_estimators": 100,
    "objective": "binary:logistic",
}


@graded(LAB, exercise="split", points=1, success="The label is kept out of the features.")
def label_kept_out_of_features(ctx):
    for name in ("X_train", "X_test"):
        columns = list(getattr(ctx.get(name), "columns", []))
        if LABEL in columns:
            raise CheckFailed(
                f"`{name}` still contains the `{LABEL}` column: the model would be handed the answer.",
                hint=f"Build the features with X = df.drop(columns=[LABEL]) and the label with y = df[LABEL].",
            )
        missing = [feature for feature in FEATURES if feature not in columns]
        if missing:
            raise CheckFailed(
                f"`{name}` should hold the 23 feature columns; it lacks {', '.join(missing)}.",
                hint="Keep every column of df except the label.",
            )


@graded(LAB, exercise="split", points=1, success="80% of the rows train, 20% test, each row used once.")
def split_is_80_20(ctx):
    df, X_train, X_test = ctx.get("df"), ctx.get("X_train"), ctx.get("X_test")
    y_train, y_test = ctx.get("y_train"), ctx.get("y_test")
    if len(X_train) != len(y_train) or len(X_test) != len(y_test):
        raise CheckFailed(
            "Features and labels have different lengths "
            f"(X_train {len(X_train)} vs y_train {len(y_train)}, X_test {len(X_test)} vs y_test {len(y_test)}).",
            hint="Split X and y in the same train_test_split call.",
        )
    total = len(X_train) + len(X_test)
    if total != len(df):
        raise CheckFailed(f"Train and test hold {total:,} rows together, but the data has {len(df):,}.",
                          hint="Split the whole data set.")
    if not set(X_train.index).isdisjoint(X_test.index):
        raise CheckFailed("Some rows are in both train and test, so the test score would flatter the model.",
                          hint="Use a single train_test_split call.")
    share = len(X_test) / total
    if abs(share - TEST_SHARE) > 0.001:
        raise CheckFailed(f"The test set holds {share:.1%} of the rows; the lab asks for 20%.",
                          hint="Pass test_size=0.2.")


@graded(LAB, exercise="split", points=1, success="Train and test have the same default rate (stratified).")
def split_is_stratified(ctx):
    y_train, y_test = ctx.get("y_train"), ctx.get("y_test")
    defaults = int(np.sum(y_train)) + int(np.sum(y_test))
    expected_in_test = defaults * len(y_test) / (len(y_train) + len(y_test))
    if abs(int(np.sum(y_test)) - expected_in_test) > 1:
        raise CheckFailed(
            f"The default rate is {np.mean(y_train):.2%} in train but {np.mean(y_test):.2%} in test: "
            "the split is not stratified, so the test score depends on the luck of the draw.",
            hint="Pass stratify=y to train_test_split.",
        )


@graded(LAB, exercise="train", points=1, success="An XGBoost classifier is fitted on the 23 features.")
def model_is_fitted_on_features(ctx):
    model = ctx.get("model")
    if not hasattr(model, "predict_proba") or not hasattr(model, "get_booster"):
        raise CheckFailed(f"`model` is a {type(model).__name__}, not an xgboost.XGBClassifier.",
                          hint="Create it with XGBClassifier(...).")
    try:
        model.get_booster()
    except Exception:
        raise CheckFailed("`model` is created but not trained yet.", hint="Call model.fit(X_train, y_train).")
    features = list(getattr(model, "feature_names_in_", []))
    if LABEL in features:
        raise CheckFailed("The model was trained with the label among its features.",
                          hint="Fit on X_train, which must not contain the label.")
    if len(features) != len(FEATURES):
        raise CheckFailed(f"The model was trained on {len(features)} columns; expected the {len(FEATURES)} features.",
                          hint="Fit on X_train (a DataFrame of the 23 features).")


@graded(LAB, exercise="train", points=1, success="The model uses the demo's hyperparameters.")
def model_uses_demo_hyperparameters(ctx):
    params = ctx.get("model").get_params()
    wrong = [f"{name}={params.get(name)!r} (expected {value!r})"
             for name, value in DEMO_HYPERPARAMETERS.items() if params.get(name) != value]
    if wrong:
        raise CheckFailed("Some hyperparameters differ from the demo's: " + "; ".join(wrong) + ".",
                          hint="Pass max_depth=5, learning_rate=0.2, gamma=4, min_child_weight=6, "
                               "subsample=0.8, n_estimators=100, objective='binary:logistic'.")


@graded(LAB, exercise="evaluate", points=1, success="One default probability per test row.")
def probabilities_for_test_rows(ctx):
    probabilities = np.asarray(ctx.get("test_probabilities"))
    y_test = ctx.get("y_test")
    if probabilities.ndim != 1 or len(probabilities) != len(y_test):
        raise CheckFailed(f"`test_probabilities` has shape {probabilities.shape}; expected ({len(y_test)},).",
                          hint="predict_proba returns two columns; keep column 1, the probability of default.")
    if set(np.unique(probabilities)) <= {0, 1}:
        raise CheckFailed("`test_probabilities` holds only 0s and 1s: those are predicted classes.",
                          hint="Use model.predict_proba(X_test)[:, 1] rather than model.predict(X_test).")


@graded(LAB, exercise="evaluate", points=2, success="Test AUC computed from probabilities on the test set.")
def auc_from_test_probabilities(ctx):
    model, X_test, y_test = ctx.get("model"), ctx.get("X_test"), ctx.get("y_test")
    test_auc = float(ctx.get("test_auc"))
    expected = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    if abs(test_auc - expected) < 1e-9:
        return
    X_train, y_train = ctx.get("X_train"), ctx.get("y_train")
    if abs(test_auc - roc_auc_score(y_train, model.predict_proba(X_train)[:, 1])) < 1e-9:
        raise CheckFailed(f"Your AUC ({test_auc:.3f}) is the training set's: it says how well the model "
                          "memorised, not how it does on new customers.",
                          hint="Compute it with y_test and the probabilities for X_test.")
    if abs(test_auc - roc_auc_score(y_test, model.predict(X_test))) < 1e-9:
        raise CheckFailed(f"Your AUC ({test_auc:.3f}) was computed from predicted classes, which throws away "
                          "the ranking AUC measures.",
                          hint="Pass the probabilities, model.predict_proba(X_test)[:, 1], to roc_auc_score.")
    if abs(test_auc - (1 - expected)) < 1e-9:
        raise CheckFailed(f"Your AUC ({test_auc:.3f}) is 1 minus the right one: you used the probability of "
                          "'no default' (column 0).", hint="Use column 1 of predict_proba.")
    raise CheckFailed(f"`test_auc` is {test_auc:.4f}, but the model's AUC on the test set is {expected:.4f}.",
                      hint="roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]).")


@graded(LAB, exercise="evaluate", points=1, hidden=True, success="The model ranks defaults well (AUC >= 0.70).")
def model_generalises(ctx):
    test_auc = float(ctx.get("test_auc"))
    if test_auc < 0.70:
        raise CheckFailed(f"Test AUC {test_auc:.3f} is below 0.70.")


@graded(LAB, exercise="confusion", points=1, success="Confusion matrix of the test set at threshold 0.5.")
def confusion_matrix_on_test_set(ctx):
    confusion = np.asarray(ctx.get("confusion"))
    y_test, probabilities = ctx.get("y_test"), np.asarray(ctx.get("test_probabilities"))
    if confusion.shape != (2, 2):
        raise CheckFailed(f"`confusion` has shape {confusion.shape}; expected a 2x2 matrix.",
                          hint="Use sklearn.metrics.confusion_matrix(y_test, test_predictions).")
    if confusion.sum() != len(y_test):
        raise CheckFailed(f"`confusion` counts {confusion.sum():,} rows, but the test set has {len(y_test):,}.",
                          hint="Compute it on the test set.")
    expected = confusion_matrix(y_test, (probabilities >= 0.5).astype(int))
    if np.array_equal(confusion, expected):
        return
    if np.array_equal(confusion, expected.T):
        raise CheckFailed("`confusion` is transposed: the true labels go first.",
                          hint="confusion_matrix(y_test, test_predictions), in that order.")
    raise CheckFailed("`confusion` does not match the test predictions at threshold 0.5.",
                      hint="test_predictions = (test_probabilities >= 0.5).astype(int).")
