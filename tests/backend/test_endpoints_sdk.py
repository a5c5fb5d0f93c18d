"""SageMaker SDK v3 deploys and invokes local endpoints: sagemaker-core resources and ModelBuilder.

``ModelBuilder.deploy(wait=True)`` sleeps 30 s before its first DescribeEndpoint
(``session_helper._wait_until`` sleeps ``poll`` first; ``_wait_for_endpoint`` polls every
30 s), whatever the backend. These tests deploy with ``wait=False`` and wait through the
Endpoint resource's ``wait_for_status(poll=1)``, which checks at once.
"""

import json

import boto3
import pytest
from test_endpoints import BUCKET, ROLE, ROW, ROWS, expected_answer, train_booster, upload_model

REGION = "us-east-1"
CAPTURE_URI = f"s3://{BUCKET}/sdk-capture"


@pytest.fixture
def session():
    from sagemaker.core.helper.session_helper import Session

    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return Session(default_bucket=BUCKET)


def xgboost_image() -> str:
    from sagemaker.core import image_uris

    return image_uris.retrieve("xgboost", REGION, "1.7-1")


def captured_records(endpoint_name: str) -> list[dict]:
    s3 = boto3.client("s3")
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"sdk-capture/{endpoint_name}/AllTraffic/")
    return [
        json.loads(line)
        for item in listing.get("Contents", [])
        for line in s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read().decode().splitlines()
    ]


def test_sagemaker_core_resources_deploy_describe_and_invoke(session):
    from sagemaker.core.resources import Endpoint, EndpointConfig, Model
    from sagemaker.core.shapes import CaptureContentTypeHeader, CaptureOption, ContainerDefinition, DataCaptureConfig, ProductionVariant

    booster = train_booster(21)
    url = upload_model(booster, "core/output/model.tar.gz")
    Model.create(
        model_name="core-model", execution_role_arn=ROLE,
        primary_container=ContainerDefinition(image=xgboost_image(), model_data_url=url),
    )
    assert Model.get("core-model").primary_container.model_data_url == url  # strict pydantic parse
    EndpointConfig.create(
        endpoint_config_name="core-config",
        production_variants=[ProductionVariant(
            variant_name="AllTraffic", model_name="core-model", instance_type="ml.m5.large", initial_instance_count=1,
        )],
        data_capture_config=DataCaptureConfig(
            enable_capture=True, initial_sampling_percentage=100, destination_s3_uri=CAPTURE_URI,
            capture_options=[CaptureOption(capture_mode="Input"), CaptureOption(capture_mode="Output")],
            capture_content_type_header=CaptureContentTypeHeader(csv_content_types=["text/csv"]),
        ),
    )
    endpoint = Endpoint.create(endpoint_name="core-endpoint", endpoint_config_name="core-config")
    endpoint.wait_for_status("InService", poll=1, timeout=30)

    summary = Endpoint.get("core-endpoint").data_capture_config
    assert (summary.enable_capture, summary.capture_status, summary.current_sampling_percentage,
            summary.destination_s3_uri) == (True, "Started", 100, CAPTURE_URI)

    response = endpoint.invoke(body=ROWS, content_type="text/csv", inference_id="sdk-1")
    assert response.body.read() == expected_answer(booster, ROWS)
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.invoked_production_variant == "AllTraffic"

    endpoint.delete()
    (record,) = captured_records("core-endpoint")
    assert record["eventMetadata"]["inferenceId"] == "sdk-1"
    assert record["captureData"]["endpointInput"]["data"] == ROWS


def test_model_builder_deploys_with_data_capture(session):
    from sagemaker.core.model_monitor import DataCaptureConfig
    from sagemaker.serve.model_builder import ModelBuilder

    booster = train_booster(22)
    url = upload_model(booster, "builder/output/model.tar.gz")
    builder = ModelBuilder(
        s3_model_data_url=url, image_uri=xgboost_image(), role_arn=ROLE,
        instance_type="ml.m5.large", sagemaker_session=session,
    )
    builder.build()
    endpoint = builder.deploy(
        endpoint_name="builder-endpoint", initial_instance_count=1, instance_type="ml.m5.large",
        data_capture_config=DataCaptureConfig(enable_capture=True, sampling_percentage=100, destination_s3_uri=CAPTURE_URI),
        wait=False,
    )
    endpoint.wait_for_status("InService", poll=1, timeout=30)

    response = endpoint.invoke(body=ROW, content_type="text/csv")
    assert response.body.read() == expected_answer(booster, ROW)
    endpoint.delete()
    (record,) = captured_records("builder-endpoint")
    assert record["captureData"]["endpointInput"] == {
        "observedContentType": "text/csv", "mode": "INPUT", "data": ROW, "encoding": "CSV",
    }


def test_sdk_wait_reports_a_failed_endpoint_with_its_reason(session):
    from sagemaker.core.resources import Endpoint, EndpointConfig, Model
    from sagemaker.core.shapes import ContainerDefinition, ProductionVariant
    from sagemaker.core.utils.exceptions import FailedStatusError

    Model.create(
        model_name="lost-model", execution_role_arn=ROLE,
        primary_container=ContainerDefinition(image=xgboost_image(), model_data_url=f"s3://{BUCKET}/lost/model.tar.gz"),
    )
    EndpointConfig.create(
        endpoint_config_name="lost-config",
        production_variants=[ProductionVariant(
            variant_name="AllTraffic", model_name="lost-model", instance_type="ml.m5.large", initial_instance_count=1,
        )],
    )
    endpoint = Endpoint.create(endpoint_name="lost-endpoint", endpoint_config_name="lost-config")
    with pytest.raises(FailedStatusError, match="Failed to download model data"):
        endpoint.wait_for_status("InService", poll=1, timeout=30)
