"""SageMaker Experiments over HTTP: the SDK v3 Run round-trips, runs are listed and compared."""

import statistics

import boto3
import pytest
from botocore.exceptions import ClientError

from mlops_kit.local.environment import write_sdk_config

BUCKET = "experiments-bucket"
EXPERIMENT = "credit-default-tuning"
AUC_BY_STEP = [0.70, 0.74, 0.73, 0.77]


@pytest.fixture(autouse=True)
def sdk_offline(monkeypatch, tmp_path):
    """The SDK's telemetry off, as the learner's session sets it."""
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(write_sdk_config(tmp_path / "sdk.yaml")))


@pytest.fixture
def session():
    from sagemaker.core.helper.session_helper import Session

    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return Session(default_bucket=BUCKET)


@pytest.fixture
def notes_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("depth 4 looked best\n")
    return path


def log_run(session, run_name: str, max_depth: int, auc_offset: float = 0.0, notes_file=None) -> None:
    from sagemaker.core.experiments.run import Run

    with Run(experiment_name=EXPERIMENT, run_name=run_name, sagemaker_session=session) as run:
        run.log_parameters({"max_depth": max_depth, "objective": "binary:logistic"})
        for step, auc in enumerate(AUC_BY_STEP):
            run.log_metric("validation:auc", auc + auc_offset, step=step)
        run.log_metric("train:logloss", 0.41)  # no step: the SDK omits Step from the request
        run.log_artifact("train-data", f"s3://{BUCKET}/data/train.csv", media_type="text/csv", is_output=False)
        if notes_file:
            run.log_file(str(notes_file), name="notes", is_output=True)


def component_name(run_name: str) -> str:
    return f"{EXPERIMENT}-{run_name}"


def test_a_run_round_trips_parameters_metrics_and_artifacts(session, notes_file):
    log_run(session, "depth-4", max_depth=4, notes_file=notes_file)

    sm = boto3.client("sagemaker")
    assert EXPERIMENT in [e["ExperimentName"] for e in sm.list_experiments()["ExperimentSummaries"]]
    component = sm.describe_trial_component(TrialComponentName=component_name("depth-4"))
    assert component["Status"]["PrimaryStatus"] == "Completed"
    assert component["Parameters"] == {
        "max_depth": {"NumberValue": 4.0},
        "objective": {"StringValue": "binary:logistic"},
    }
    assert component["InputArtifacts"]["train-data"] == {"MediaType": "text/csv", "Value": f"s3://{BUCKET}/data/train.csv"}
    notes_uri = component["OutputArtifacts"]["notes"]["Value"]
    bucket, key = notes_uri.removeprefix("s3://").split("/", 1)
    assert boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read() == b"depth 4 looked best\n"


def test_metric_summaries_are_computed_from_every_point(session):
    log_run(session, "depth-4", max_depth=4)

    component = boto3.client("sagemaker").describe_trial_component(TrialComponentName=component_name("depth-4"))
    summaries = {m["MetricName"]: m for m in component["Metrics"]}
    auc = summaries["validation:auc"]
    assert auc["Count"] == len(AUC_BY_STEP)
    assert (auc["Min"], auc["Max"], auc["Last"]) == (min(AUC_BY_STEP), max(AUC_BY_STEP), AUC_BY_STEP[-1])
    assert auc["Avg"] == pytest.approx(statistics.fmean(AUC_BY_STEP))
    assert auc["StdDev"] == pytest.approx(statistics.pstdev(AUC_BY_STEP))
    assert "TimeStamp" in auc
    assert summaries["train:logloss"]["Count"] == 1 and summaries["train:logloss"]["Last"] == 0.41


def test_load_run_reads_back_and_reopening_a_run_keeps_what_it_logged(session):
    from sagemaker.core.experiments.run import Run, load_run

    log_run(session, "depth-4", max_depth=4)
    with Run(experiment_name=EXPERIMENT, run_name="depth-4", sagemaker_session=session) as run:
        run.log_parameter("eta", 0.2)

    with load_run(experiment_name=EXPERIMENT, run_name="depth-4", sagemaker_session=session) as loaded:
        parameters = dict(loaded._trial_component.parameters)
        input_artifacts = loaded._trial_component.input_artifacts
    assert parameters == {"max_depth": 4.0, "objective": "binary:logistic", "eta": 0.2}
    assert input_artifacts["train-data"].value == f"s3://{BUCKET}/data/train.csv"


def test_list_runs_finds_every_run_of_the_experiment(session):
    from sagemaker.core.experiments.run import list_runs

    log_run(session, "depth-3", max_depth=3)
    log_run(session, "depth-5", max_depth=5)
    boto3.client("sagemaker").create_trial_component(TrialComponentName="not-a-run")

    runs = list_runs(experiment_name=EXPERIMENT, sagemaker_session=session)

    assert sorted(run.run_name for run in runs) == ["depth-3", "depth-5"]


def test_experiment_analytics_compares_runs_in_a_table(session):
    from sagemaker.core.analytics import ExperimentAnalytics

    log_run(session, "depth-3", max_depth=3)
    log_run(session, "depth-5", max_depth=5, auc_offset=0.05)

    table = ExperimentAnalytics(experiment_name=EXPERIMENT, sagemaker_session=session).dataframe()

    table = table.set_index("TrialComponentName")
    assert sorted(table.index) == [component_name("depth-3"), component_name("depth-5")]
    assert table.loc[component_name("depth-5"), "max_depth"] == 5.0
    assert table.loc[component_name("depth-3"), "validation:auc - Last"] == pytest.approx(AUC_BY_STEP[-1])
    assert table.loc[component_name("depth-5"), "validation:auc - Max"] == pytest.approx(max(AUC_BY_STEP) + 0.05)
    assert table.loc[component_name("depth-3"), "Experiments"] == [EXPERIMENT]


def test_search_filters_runs_by_parameter_and_metric(session):
    log_run(session, "depth-3", max_depth=3)
    log_run(session, "depth-5", max_depth=5, auc_offset=0.05)
    sm = boto3.client("sagemaker")

    def names(*filters) -> list[str]:
        found = sm.search(Resource="ExperimentTrialComponent", SearchExpression={"Filters": list(filters)})
        return sorted(r["TrialComponent"]["TrialComponentName"] for r in found["Results"])

    assert names({"Name": "Parameters.max_depth", "Operator": "GreaterThan", "Value": "4"}) == [component_name("depth-5")]
    assert names({"Name": "Metrics.validation:auc.Max", "Operator": "LessThan", "Value": "0.8"}) == [
        component_name("depth-3")
    ]
    assert len(names({"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": EXPERIMENT})) == 2
    assert names({"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": "another"}) == []


# --- Bad input: the service's error shape, a message that says what to fix, a server that keeps serving.


def test_logging_to_a_run_whose_experiment_is_gone(session):
    from sagemaker.core.experiments.run import Run

    sm = boto3.client("sagemaker")
    with pytest.raises(ClientError) as raised:
        with Run(experiment_name=EXPERIMENT, run_name="depth-4", sagemaker_session=session) as run:
            # What a learner meets after resetting the local server while a run is open.
            sm.delete_trial_component(TrialComponentName=component_name("depth-4"))
            run.log_parameter("max_depth", 4)

    error = raised.value.response["Error"]
    assert error["Code"] == "ResourceNotFound"
    assert component_name("depth-4") in error["Message"] and "Run(...)" in error["Message"]
    log_run(session, "depth-5", max_depth=5)
    assert sm.describe_trial_component(TrialComponentName=component_name("depth-5"))["Parameters"]


def test_metrics_for_a_missing_run_are_rejected_per_data_point():
    metrics = boto3.client("sagemaker-metrics")

    response = metrics.batch_put_metrics(
        TrialComponentName="no-such-run",
        MetricData=[{"MetricName": "auc", "Value": 0.7, "Timestamp": 1_800_000_000, "Step": step} for step in (0, 1)],
    )

    assert response["Errors"] == [{"Code": "VALIDATION_ERROR", "MetricIndex": 0}, {"Code": "VALIDATION_ERROR", "MetricIndex": 1}]


def test_listing_runs_of_an_experiment_that_does_not_exist(session):
    from sagemaker.core.experiments.run import list_runs

    with pytest.raises(ClientError) as raised:
        list_runs(experiment_name="no-such-experiment", sagemaker_session=session)

    error = raised.value.response["Error"]
    assert error["Code"] == "ResourceNotFound"
    assert "experiment/no-such-experiment' does not exist" in error["Message"]


def test_describing_an_experiment_that_does_not_exist():
    sm = boto3.client("sagemaker")

    with pytest.raises(ClientError) as raised:
        sm.describe_experiment(ExperimentName="no-such-experiment")

    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"
    sm.create_experiment(ExperimentName="no-such-experiment")
    assert sm.describe_experiment(ExperimentName="no-such-experiment")["ExperimentName"] == "no-such-experiment"


def test_creating_what_exists_is_refused_and_keeps_the_original():
    sm = boto3.client("sagemaker")
    sm.create_trial_component(TrialComponentName="run-1", Parameters={"eta": {"NumberValue": 0.3}})

    with pytest.raises(ClientError) as raised:
        sm.create_trial_component(TrialComponentName="run-1")

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "already exists" in raised.value.response["Error"]["Message"]
    assert sm.describe_trial_component(TrialComponentName="run-1")["Parameters"] == {"eta": {"NumberValue": 0.3}}
