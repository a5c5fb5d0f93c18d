"""Run's chart logging (confusion matrix, ROC curve) stores the data and links it to the run."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from mlops_kit.local.environment import write_sdk_config

BUCKET = "experiments-bucket"
RUN_COMPONENT_ARN = "arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/credit-depth-4"


@pytest.fixture(autouse=True)
def sdk_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(write_sdk_config(tmp_path / "sdk.yaml")))


def test_charts_are_uploaded_and_associated_with_the_run():
    from sagemaker.core.experiments.run import Run
    from sagemaker.core.helper.session_helper import Session

    boto3.client("s3").create_bucket(Bucket=BUCKET)
    with Run(experiment_name="credit", run_name="depth-4", sagemaker_session=Session(default_bucket=BUCKET)) as run:
        run.log_confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0], title="validation-confusion")
        run.log_roc_curve([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.2], title="validation-roc")

    sm = boto3.client("sagemaker")
    links = sm.list_associations(SourceArn=RUN_COMPONENT_ARN)["AssociationSummaries"]
    assert sorted((a["DestinationType"], a["DestinationName"], a["AssociationType"]) for a in links) == [
        ("ConfusionMatrix", "validation-confusion", "Produced"),
        ("ROCCurve", "validation-roc", "Produced"),
    ]
    matrix_link = next(a for a in links if a["DestinationType"] == "ConfusionMatrix")
    artifact = sm.describe_artifact(ArtifactArn=matrix_link["DestinationArn"])
    bucket, key = artifact["Source"]["SourceUri"].removeprefix("s3://").split("/", 1)
    chart = json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    assert chart["confusionMatrix"] == [[2, 0], [1, 1]]
    assert [a["ArtifactName"] for a in sm.list_artifacts(ArtifactType="ROCCurve")["ArtifactSummaries"]] == [
        "validation-roc"
    ]


def test_associating_an_artifact_that_does_not_exist():
    sm = boto3.client("sagemaker")
    sm.create_trial_component(TrialComponentName="credit-depth-4")
    missing = "arn:aws:sagemaker:us-east-1:123456789012:artifact/0123456789abcdef0123456789abcdef"

    with pytest.raises(ClientError) as raised:
        sm.add_association(SourceArn=RUN_COMPONENT_ARN, DestinationArn=missing, AssociationType="Produced")

    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"
    assert missing in raised.value.response["Error"]["Message"]
    assert sm.list_associations(SourceArn=RUN_COMPONENT_ARN)["AssociationSummaries"] == []
