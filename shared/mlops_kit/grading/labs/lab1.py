"""Checks for lab 1 (experimentation on SageMaker).

They read the notebook's variables and, through boto3, the backend's state, so the same
checks grade a run on the local backend and on AWS.
"""

import io

import numpy as np
import pandas as pd
from botocore.exceptions import ClientError
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

from mlops_kit.data import COLUMNS, FEATURES, LABEL
from mlops_kit.grading import CheckFailed, graded
from mlops_kit.grading.checks import s3_location

LAB = "lab1"
# Exercise -> the earlier exercises whose results it uses (see grading.grader).
BUILDS_ON = {"preprocess": ("upload",), "train": ("preprocess",), "experiment": ("train",), "deploy": ("train",),
             "evaluate": ("deploy",), "cleanup": ("deploy",)}
SHARES = {"train": 0.7, "validation": 0.1, "test": 0.2}
DEMO_HYPERPARAMETERS = {"max_depth": "5", "eta": "0.2", "gamma": "4", "min_child_weight": "6",
                        "subsample": "0.8", "objective": "binary:logistic", "num_round": "100"}


def read_s3_csv(ctx, uri: str, header) -> pd.DataFrame:
    """The CSV at `uri`, or the single CSV under the prefix `uri`."""
    s3 = ctx.client("s3")
    bucket, key = s3_location(uri)
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])]
    csv_keys = [name for name in keys if name.endswith(".csv")]
    if not csv_keys:
        raise CheckFailed(f"There is no CSV file at {uri}.", hint="Did the job write this output? Read its logs.")
    body = s3.get_object(Bucket=bucket, Key=csv_keys[0])["Body"].read()
    return pd.read_csv(io.BytesIO(body), header=header)


def describe(ctx, kind: str, name_variable: str) -> dict:
    name = ctx.get(name_variable)
    sagemaker = ctx.client("sagemaker")
    try:
        if kind == "processing":
            return sagemaker.describe_processing_job(ProcessingJobName=name)
        return sagemaker.describe_training_job(TrainingJobName=name)
    except ClientError as error:
        raise CheckFailed(f"The {kind} job `{name}` (from `{name_variable}`) cannot be found: "
                          f"{error.response['Error']['Message']}")


@graded(LAB, exercise="upload", points=1, success="The raw data is in S3, with its header, every row.")
def raw_data_uploaded(ctx):
    uri, df = ctx.get("raw_uri"), ctx.get("df")
    try:
        uploaded = read_s3_csv(ctx, uri, header=0)
    except ClientError as error:
        raise CheckFailed(f"Cannot read {uri}: {error.response['Error']['Message']}",
                          hint="Upload with sagemaker_session.upload_data(...) and keep the URI it returns.")
    if list(uploaded.columns) != COLUMNS:
        raise CheckFailed(f"The uploaded CSV's columns are {list(uploaded.columns)[:4]}..., not the data's.",
                          hint="Write it with df.to_csv(path, index=False): the header row, no index column.")
    if len(uploaded) != len(df):
        raise CheckFailed(f"The uploaded CSV has {len(uploaded):,} rows; df has {len(df):,}.")


@graded(LAB, exercise="explore", points=1, success="Default rate by PAY_0 computed.")
def default_rate_by_repayment_status(ctx):
    rates, df = ctx.get("default_rate_by_pay_0"), ctx.get("df")
    expected = df.groupby("PAY_0")[LABEL].mean()
    if not isinstance(rates, pd.Series):
        raise CheckFailed(f"`default_rate_by_pay_0` is a {type(rates).__name__}; expected a pandas Series.",
                          hint='df.groupby("PAY_0")[LABEL].mean()')
    if sorted(rates.index) != sorted(expected.index):
        raise CheckFailed("`default_rate_by_pay_0` should have one entry per value of PAY_0 "
                          f"({sorted(expected.index)}); it has {sorted(rates.index)[:12]}.",
                          hint="Group by PAY_0.")
    if not np.allclose(rates.sort_index().to_numpy(), expected.sort_index().to_numpy()):
        raise CheckFailed("The rates are not the share of defaulters for each PAY_0 value.",
                          hint="Take the mean of the label within each group: counts are not rates.")


@graded(LAB, exercise="preprocess", points=1, success="The processing job completed.")
def processing_job_completed(ctx):
    job = describe(ctx, "processing", "processing_job_name")
    if job["ProcessingJobStatus"] != "Completed":
        raise CheckFailed(f"The processing job is {job['ProcessingJobStatus']}: {job.get('FailureReason', '')}",
                          hint="The failure reason carries your script's own error: fix preprocessing.py and run again.")


def processed_parts(ctx) -> dict[str, pd.DataFrame]:
    outputs = describe(ctx, "processing", "processing_job_name")["ProcessingOutputConfig"]["Outputs"]
    uris = {output["OutputName"]: output["S3Output"]["S3Uri"] for output in outputs}
    missing = [name for name in (*SHARES, "train_headers") if name not in uris]
    if missing:
        raise CheckFailed(f"The processing job has no output named {', '.join(missing)}.",
                          hint="Give the job one ProcessingOutput per folder: train, validation, test, train_headers.")
    parts = {name: read_s3_csv(ctx, uris[name], header=None) for name in SHARES}
    parts["train_headers"] = read_s3_csv(ctx, uris["train_headers"], header=0)
    return parts


@graded(LAB, exercise="preprocess", points=2, success="Train/validation/test are 70/10/20, stratified, label first, no header.")
def processed_outputs_have_the_right_shape(ctx):
    parts, df = processed_parts(ctx), ctx.get("df")
    for name, share in SHARES.items():
        part = parts[name]
        if part.shape[1] != len(COLUMNS):
            raise CheckFailed(f"{name} has {part.shape[1]} columns; expected {len(COLUMNS)} (label + 23 features).")
        if not pd.api.types.is_numeric_dtype(part[0]) or not set(part[0].unique()) <= {0, 1}:
            raise CheckFailed(f"The first column of {name} is not the 0/1 label (or the file has a header row).",
                              hint="Write label first, with to_csv(..., header=False, index=False).")
        if abs(len(part) - share * len(df)) > 2:
            raise CheckFailed(f"{name} has {len(part):,} rows; expected about {share * len(df):,.0f} ({share:.0%}).")
        if abs(part[0].mean() - df[LABEL].mean()) > 0.005:
            raise CheckFailed(f"The default rate is {part[0].mean():.2%} in {name} but {df[LABEL].mean():.2%} overall.",
                              hint="Stratify both splits on the label.")
    headers = parts["train_headers"]
    if list(headers.columns) != COLUMNS or len(headers) != len(parts["train"]):
        raise CheckFailed("train_headers should be the training part with its header row (for lab 4's baseline).",
                          hint="Write train again with header=True into the train_headers folder.")


@graded(LAB, exercise="preprocess", points=2, success="Scalers fitted on the training part only; no row in two parts.")
def no_leakage_between_parts(ctx):
    parts = processed_parts(ctx)
    train = parts["train_headers"]
    bill = [column for column in FEATURES if column.startswith("BILL_AMT")]
    pay = [column for column in FEATURES if column.startswith("PAY_AMT")]
    if not (np.allclose(train[bill].min(), 0) and np.allclose(train[bill].max(), 1)):
        raise CheckFailed("The BILL_AMT columns of the training part do not span exactly 0..1: the MinMaxScaler "
                          "was not fitted on the training part (or not applied).",
                          hint="Fit the scalers on train only, then transform train, validation and test.")
    if not (np.allclose(train[pay].mean(), 0, atol=1e-6) and np.allclose(train[pay].std(ddof=0), 1, atol=1e-6)):
        raise CheckFailed("The PAY_AMT columns of the training part are not standardised (mean 0, std 1): "
                          "the StandardScaler was fitted on more than the training part, or not applied.",
                          hint="Fit the scalers on train only: fitting on all data leaks the test set into training.")
    train_rows = set(map(tuple, parts["train"].round(9).to_numpy()))
    shared = sum(tuple(row) in train_rows for row in parts["test"].round(9).to_numpy())
    if shared > 0.01 * len(parts["test"]):
        raise CheckFailed(f"{shared:,} test rows also appear in train.", hint="Split before scaling, without overlap.")


@graded(LAB, exercise="train", points=2, success="XGBoost trained with the demo's hyperparameters on train and validation.")
def training_job_completed_as_asked(ctx):
    job = describe(ctx, "training", "training_job_name")
    if job["TrainingJobStatus"] != "Completed":
        raise CheckFailed(f"The training job is {job['TrainingJobStatus']}: {job.get('FailureReason', '')}")
    given = job.get("HyperParameters", {})
    wrong = [f"{name}={given.get(name)!r} (expected {value!r})" for name, value in DEMO_HYPERPARAMETERS.items()
             if given.get(name) != value]
    if wrong:
        raise CheckFailed("Hyperparameters differ from the lab's: " + "; ".join(wrong) + ".",
                          hint="Pass the `hyperparameters` dict to ModelTrainer.")
    channels = {channel["ChannelName"] for channel in job.get("InputDataConfig", [])}
    if channels != {"train", "validation"}:
        raise CheckFailed(f"The job's channels are {sorted(channels)}; expected train and validation.",
                          hint="Pass `channels` as input_data_config.")
    metrics = {metric["MetricName"] for metric in job.get("FinalMetricDataList", [])}
    if "validation:auc" not in metrics:
        raise CheckFailed("The job reports no validation:auc.", hint='Set eval_metric="auc" and a validation channel.')


def logged_runs(ctx) -> dict[str, dict]:
    """Trial components (runs) of the learner's experiment, by run name, with parameters and metrics."""
    sagemaker, experiment = ctx.client("sagemaker"), ctx.get("experiment_name")
    try:
        summaries = sagemaker.list_trial_components(ExperimentName=experiment)["TrialComponentSummaries"]
    except ClientError as error:
        raise CheckFailed(f"The experiment {experiment!r} cannot be read: {error.response['Error']['Message']}")
    runs = {}
    for summary in summaries:
        component = sagemaker.describe_trial_component(TrialComponentName=summary["TrialComponentName"])
        runs[summary["TrialComponentName"]] = component
    return runs


@graded(LAB, exercise="experiment", points=2, success="Three runs recorded with parameters, data and validation AUC.")
def experiment_runs_recorded(ctx):
    runs = logged_runs(ctx)
    if len(runs) < 3:
        raise CheckFailed(f"The experiment has {len(runs)} run(s); the lab asks for one per variant (3).",
                          hint="Open a Run for each variant inside the loop.")
    for name, run in runs.items():
        parameters, metrics = run.get("Parameters", {}), {m["MetricName"] for m in run.get("Metrics", [])}
        if not {"max_depth", "eta"} <= set(parameters):
            raise CheckFailed(f"Run {name} has no max_depth/eta parameters.", hint="run.log_parameters(params)")
        if "validation:auc" not in metrics:
            raise CheckFailed(f"Run {name} has no validation:auc metric.",
                              hint='run.log_metric("validation:auc", value)')
        if not run.get("InputArtifacts"):
            raise CheckFailed(f"Run {name} records no input data.",
                              hint="run.log_artifact(name, uri, is_output=False) for the train and validation data.")
    table = ctx.get("runs")
    if not isinstance(table, pd.DataFrame) or len(table) < 3:
        raise CheckFailed("`runs` should be the comparison table (a DataFrame with one row per run).")


@graded(LAB, exercise="experiment", points=1, hidden=True, success="Each run logs its own job's validation AUC.")
def runs_log_their_jobs_metrics(ctx):
    sagemaker, runs = ctx.client("sagemaker"), logged_runs(ctx)
    for run_name, job_name in ctx.get("runs_jobs").items():
        job = sagemaker.describe_training_job(TrainingJobName=job_name)
        reported = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}["validation:auc"]
        logged = [m for run in runs.values() if run.get("DisplayName", "").endswith(run_name) or
                  run["TrialComponentName"].endswith(run_name) for m in run.get("Metrics", [])
                  if m["MetricName"] == "validation:auc"]
        if not logged or abs(logged[0]["Last"] - reported) > 1e-6:
            raise CheckFailed(f"Run {run_name} does not log the validation AUC of its job {job_name}.")


def endpoint_description(ctx) -> dict:
    name = ctx.get("endpoint_name")
    try:
        return ctx.client("sagemaker").describe_endpoint(EndpointName=name)
    except ClientError as error:
        raise CheckFailed(f"Endpoint {name} cannot be found: {error.response['Error']['Message']}",
                          hint="Create the model, the endpoint configuration and the endpoint, in that order.")


@graded(LAB, exercise="deploy", points=2, success="The endpoint is InService and answers with a probability.")
def endpoint_in_service_and_answering(ctx):
    endpoint = endpoint_description(ctx)
    if endpoint["EndpointStatus"] != "InService":
        raise CheckFailed(f"The endpoint is {endpoint['EndpointStatus']}. {endpoint.get('FailureReason', '')}",
                          hint='endpoint.wait_for_status("InService") waits for it.')
    row = ",".join(["50000", "2", "2", "1", "30"] + ["0"] * 6 + ["0.1"] * 6 + ["0"] * 6)
    answer = ctx.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=endpoint["EndpointName"], ContentType="text/csv", Body=row)["Body"].read().decode()
    if not 0 <= float(answer) <= 1:
        raise CheckFailed(f"The endpoint answered {answer!r}, not a probability.")


@graded(LAB, exercise="deploy", points=1, hidden=True, success="The deployed model is the best run's.")
def best_run_deployed(ctx):
    sagemaker = ctx.client("sagemaker")
    endpoint = endpoint_description(ctx)
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    deployed = model["PrimaryContainer"]["ModelDataUrl"]
    aucs = {}
    for run_name, job_name in ctx.get("runs_jobs").items():
        job = sagemaker.describe_training_job(TrainingJobName=job_name)
        aucs[job["ModelArtifacts"]["S3ModelArtifacts"]] = {
            m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}["validation:auc"]
    if deployed != max(aucs, key=aucs.get):
        raise CheckFailed("The endpoint serves a model that is not the best run's.")


@graded(LAB, exercise="evaluate", points=2, success="Test metrics computed from the endpoint's probabilities.")
def metrics_from_endpoint_probabilities(ctx):
    probabilities, y_test = np.asarray(ctx.get("test_probabilities"), dtype=float), np.asarray(ctx.get("y_test"))
    if probabilities.shape != y_test.shape:
        raise CheckFailed(f"`test_probabilities` has {probabilities.size} values for {y_test.size} test rows.",
                          hint="Send every test row (features only) and parse every answer.")
    if set(np.unique(probabilities)) <= {0.0, 1.0}:
        raise CheckFailed("`test_probabilities` holds only 0s and 1s: AUC needs the endpoint's probabilities.")
    predictions = (probabilities >= 0.5).astype(int)
    expected = {"test_auc": roc_auc_score(y_test, probabilities), "accuracy": accuracy_score(y_test, predictions),
                "precision": precision_score(y_test, predictions), "recall": recall_score(y_test, predictions)}
    for name, value in expected.items():
        if abs(float(ctx.get(name)) - value) > 1e-9:
            raise CheckFailed(f"`{name}` is {float(ctx.get(name)):.4f}; from `test_probabilities` it is {value:.4f}.",
                              hint="Compute it from y_test and the probabilities (or the 0.5-threshold predictions).")


@graded(LAB, exercise="cleanup", points=1, success="The endpoint is deleted: nothing left running.")
def endpoint_deleted(ctx):
    name = ctx.get("endpoint_name")
    try:
        status = ctx.client("sagemaker").describe_endpoint(EndpointName=name)["EndpointStatus"]
    except ClientError:
        return
    raise CheckFailed(f"Endpoint {name} still exists ({status}) and would cost money every hour on AWS.",
                      hint="endpoint.delete()")
